#pragma once

#include <filesystem>

#include "server/qc/qc_policy.hpp"

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::qc {

/// Quality control ("qc"): where the lab's control definitions are (none: every control
/// establishes its own target), how runs are grouped and judged, and which gate statuses hold
/// patient results.
struct QcConfig {
  std::filesystem::path controls_file;
  QcPolicy policy;
  bool hold_out = true;
  bool hold_unknown = true;
};

/// Reads the configuration's `qc` object, when present, into `qc`; errors go to `top`'s list
/// with their JSON paths. The controls file is taken from `base`.
void read_qc_config(files::JsonFields& top, QcConfig& qc, const std::filesystem::path& base);

}  // namespace hemalink::qc
