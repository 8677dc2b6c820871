// Asio's implementation, compiled once for the whole build (BOOST_ASIO_SEPARATE_COMPILATION):
// the other translation units that include Asio see only its declarations and templates. Its
// TLS part (Asio SSL over OpenSSL) too.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
