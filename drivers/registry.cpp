#include "drivers/registry.hpp"

#include <utility>

namespace hemalink::drivers {
namespace {

using Factory = std::unique_ptr<Driver> (*)(DriverSettings);

// Every driver, one line each. Explicit on purpose: no static-initialiser registration.
constexpr std::pair<std::string_view, Factory> kDrivers[] = {
    {"sysmex-xn", make_sysmex_xn},     {"sysmex-cs", make_sysmex_cs},
    {"bd-facs", make_bd_facs},         {"generic-astm", make_generic_astm},
    {"generic-hl7", make_generic_hl7},
};

}  // namespace

const std::vector<std::string_view>& driver_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& [name, factory] : kDrivers) {
      out.push_back(name);
    }
    return out;
  }();
  return names;
}

std::unique_ptr<Driver> make_driver(std::string_view name, DriverSettings settings) {
  for (const auto& [registered, factory] : kDrivers) {
    if (registered == name) {
      return factory(std::move(settings));
    }
  }
  return nullptr;
}

}  // namespace hemalink::drivers
