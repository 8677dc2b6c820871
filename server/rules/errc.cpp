#include "server/rules/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::rules {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::Syntax:
      return "not an expression";
    case Errc::UnknownName:
      return "unknown name";
    case Errc::WrongType:
      return "value of the wrong type";
    case Errc::WrongArguments:
      return "wrong arguments";
    case Errc::TooDeep:
      return "expression too deep";
  }
  return "unknown rules error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "rules", describe);
}

}  // namespace hemalink::rules
