#include "server/files/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::files {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::Unreadable:
      return "file cannot be read";
    case Errc::NotJson:
      return "not JSON";
    case Errc::Missing:
      return "required value missing";
    case Errc::WrongType:
      return "value of the wrong type";
    case Errc::BadValue:
      return "value hemalink cannot use";
    case Errc::Unknown:
      return "unknown key";
  }
  return "unknown file error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "files", describe);
}

}  // namespace hemalink::files
