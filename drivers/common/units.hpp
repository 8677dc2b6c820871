#pragma once

#include <string>
#include <string_view>

namespace hemalink::drivers {

/// The UCUM form of a unit as analyzers write it: `10^3/uL`, `x10^9/L`, `10E3/uL`, `K/uL` and
/// `10*3/uL` all give `10*3/uL`; `g/dl` gives `g/dL`; `sec` gives `s`; `um3` gives `fL`;
/// `ug/mL FEU` gives `ug/mL{FEU}`. French-style `G/L` and `T/L` (giga and tera per litre) give
/// `10*9/L` and `10*12/L`. A unit not recognised is returned trimmed but otherwise as sent:
/// nothing is guessed.
std::string normalize_units(std::string_view raw);

/// True when normalize_units() recognises `raw`.
bool is_known_unit(std::string_view raw);

}  // namespace hemalink::drivers
