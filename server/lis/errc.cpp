#include "server/lis/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::lis {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::NoResult:
      return "no result to send";
    case Errc::Unconvertible:
      return "a value the mapping cannot convert";
  }
  return "unknown lis error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "lis", describe);
}

}  // namespace hemalink::lis
