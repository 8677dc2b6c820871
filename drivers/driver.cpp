#include "drivers/driver.hpp"

#include <fmt/format.h>

#include "drivers/errc.hpp"

namespace hemalink::drivers {
namespace {

ParseError wrong_input(std::string_view driver, std::string_view what) {
  return {make_error_code(Errc::WrongInput),
          fmt::format("driver {} does not read {}", driver, what), 0};
}

}  // namespace

Result<Translation> Driver::translate(const astm::Lis2Message&) const {
  return wrong_input(name(), "ASTM messages");
}

Result<Translation> Driver::translate(const hl7::V2Message&) const {
  return wrong_input(name(), "HL7 messages");
}

Result<Translation> Driver::translate_export(std::string_view) const {
  return wrong_input(name(), "export files");
}

std::optional<std::string> Driver::order_code(std::string_view) const {
  return std::nullopt;
}

}  // namespace hemalink::drivers
