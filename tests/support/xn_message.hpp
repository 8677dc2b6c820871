#pragma once

#include <string>
#include <vector>

namespace hemalink::testing {

/// One result of a Sysmex XN message: the XN's code, the value as sent, its unit.
struct XnResult {
  std::string code;
  std::string value;
  std::string units;
};

/// A Sysmex XN message of one sample as the XN sends it (LIS02-A2 records): a patient's, with
/// `patient` as P-4, or a control's (O-12 `Q`, no patient: the sample number names its QC file),
/// every result final, flagged N and measured at `measured_at` (YYYYMMDDHHMMSS).
std::string xn_message(const std::string& sample, const std::string& patient, bool is_qc,
                       const std::vector<XnResult>& results, const std::string& measured_at);

/// A patient's XN message (patient "P-<sample>") or a control's, results without units.
std::string xn_message(const std::string& sample, bool is_qc,
                       const std::vector<std::pair<std::string, std::string>>& results,
                       const std::string& measured_at);

}  // namespace hemalink::testing
