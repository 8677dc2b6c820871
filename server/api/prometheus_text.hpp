#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hemalink::api {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

/// The Prometheus text exposition format (version 0.0.4), written one family at a time: its
/// HELP and TYPE lines, then its samples. Label values are escaped as the format asks.
class PrometheusText {
 public:
  /// Starts a family; `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  /// Text that is exposition format already (a histogram written elsewhere).
  void append(std::string_view text) { out_ += text; }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

}  // namespace hemalink::api
