#include "server/metrics/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hemalink::metrics {
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

void PrometheusText::histogram(std::string_view name, const Labels& labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  const auto with = [&labels](std::string le) {
    auto all = labels;
    all.emplace_back("le", std::move(le));
    return all;
  };
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < counts.size(); ++b) {
    cumulative += counts[b];
    const auto le = b < bounds.size() ? fmt::format("{}", bounds[b]) : std::string("+Inf");
    sample(fmt::format("{}_bucket", name), with(le), static_cast<double>(cumulative));
  }
  sample(fmt::format("{}_sum", name), labels, sum);
  sample(fmt::format("{}_count", name), labels, static_cast<double>(cumulative));
}

}  // namespace hemalink::metrics
