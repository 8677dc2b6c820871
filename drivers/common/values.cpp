#include "drivers/common/values.hpp"

#include <cctype>
#include <charconv>

namespace hemalink::drivers {

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  if (text.empty() || text.front() == '+' ||
      !(std::isdigit(static_cast<unsigned char>(text.front())) || text.front() == '-' ||
        text.front() == '.')) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Value parse_value(std::string_view raw) {
  Value v;
  std::string_view text = trim(raw);
  v.text = std::string(text);
  std::string_view rest = text;
  if (rest.starts_with("<=")) {
    v.comparator = model::Comparator::LessOrEqual;
    rest.remove_prefix(2);
  } else if (rest.starts_with(">=")) {
    v.comparator = model::Comparator::GreaterOrEqual;
    rest.remove_prefix(2);
  } else if (rest.starts_with("<")) {
    v.comparator = model::Comparator::Less;
    rest.remove_prefix(1);
  } else if (rest.starts_with(">")) {
    v.comparator = model::Comparator::Greater;
    rest.remove_prefix(1);
  }
  v.numeric = parse_number(rest);
  if (!v.numeric) {
    v.comparator = model::Comparator::None;  // "<<<" or "> high" is text, not a bound
  }
  return v;
}

}  // namespace hemalink::drivers
