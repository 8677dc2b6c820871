#include "server/api/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hemalink::api {
namespace {

// Backslash and newline escaped, and in label values the double quote too.
std::string escaped(std::string_view text, bool is_label_value) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && is_label_value)
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escaped(help, false), name, type);
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      out_ += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first,
                          escaped(labels[i].second, true));
    }
    out_ += '}';
  }
  if (std::isnan(value))
    out_ += " NaN\n";
  else if (std::isinf(value))
    out_ += value > 0 ? " +Inf\n" : " -Inf\n";
  else if (value == std::floor(value) && std::fabs(value) < 1e15)
    out_ += fmt::format(" {}\n", static_cast<long long>(value));
  else
    out_ += fmt::format(" {}\n", value);
}

}  // namespace hemalink::api
