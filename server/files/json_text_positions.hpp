#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "server/files/text_position.hpp"

namespace hemalink::files {

/// Where each value of a JSON document starts, by its path in the form configuration errors use
/// (`rules[3].when`, `rules[3].compute.expr`; the root is ""). For a document that parsed.
std::map<std::string, std::size_t> json_value_offsets(std::string_view json);

/// The line and column (1-based, in bytes) of a byte offset.
TextPosition position_of(std::string_view text, std::size_t offset);

/// The byte offset in `json` of a position inside the JSON string literal that starts at
/// `literal` (its opening quote), the position counted in the decoded string: so an error in a
/// rule's `when` is shown where it is in the file, escapes and all.
std::size_t offset_in_string(std::string_view json, std::size_t literal, TextPosition inside);

}  // namespace hemalink::files
