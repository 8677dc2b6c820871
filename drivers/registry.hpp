#pragma once

#include <memory>

#include "drivers/driver.hpp"

namespace hemalink::drivers {

// One factory per driver file; registry.cpp lists them all, in one place.
std::unique_ptr<Driver> make_sysmex_xn(DriverSettings settings);
std::unique_ptr<Driver> make_sysmex_cs(DriverSettings settings);
std::unique_ptr<Driver> make_bd_facs(DriverSettings settings);
std::unique_ptr<Driver> make_generic_astm(DriverSettings settings);
std::unique_ptr<Driver> make_generic_hl7(DriverSettings settings);

}  // namespace hemalink::drivers
