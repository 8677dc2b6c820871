// Asio's implementation, compiled once for the whole build (BOOST_ASIO_SEPARATE_COMPILATION):
// the other translation units that include Asio see only its declarations and templates.
#include <boost/asio/impl/src.hpp>
