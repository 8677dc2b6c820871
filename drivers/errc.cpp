#include "drivers/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::drivers {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::WrongInput:
      return "input not read by this driver";
    case Errc::MissingRecord:
      return "a required record is missing";
    case Errc::MalformedField:
      return "malformed field";
    case Errc::MalformedExport:
      return "malformed export file";
  }
  return "unknown driver error";
}

}  // namespace

const std::error_category& error_category() {
  static const ErrorCategory<Errc> category("driver", describe);
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hemalink::drivers
