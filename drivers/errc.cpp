#include "drivers/errc.hpp"

#include <string>

namespace hemalink::drivers {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "driver"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
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
};

}  // namespace

const std::error_category& error_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hemalink::drivers
