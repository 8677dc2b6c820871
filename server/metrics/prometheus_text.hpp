#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hemalink::metrics {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

/// The Prometheus text exposition format (version 0.0.4), written one family at a time: its
/// HELP and TYPE lines, then its samples. Label values are escaped as the format asks.
class PrometheusText {
 public:
  /// Starts a family; `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  /// One histogram's samples under `labels`: `<name>_bucket` for each upper bound of `bounds` and
  /// for +Inf, cumulative; then `<name>_sum` and `<name>_count`. `counts` are per bucket (not
  /// cumulative), one more than `bounds`: the last is above every bound.
  void histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

}  // namespace hemalink::metrics
