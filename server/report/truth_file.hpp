#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"
#include "server/simulate/lab_day.hpp"

namespace hemalink::report {

/// One line of a truth file: a specimen and what a person must do about it, as the lab-day
/// generator knows it (`hemalink simulate --lab-day ... --truth FILE`).
struct TruthSpecimen {
  std::string specimen_id;
  std::string profile;  ///< hospital, outpatient, oncology: whatever the generator wrote.
  simulate::SpecimenTruth truth;
  std::uint32_t line = 0;  ///< Where it is in the file (1-based).
};

/// A truth file's text (JSON Lines: one object per line with specimen_id, profile, condition,
/// must_review and why; blank lines skipped). Fails with every error, each naming `file`, the
/// line and the key: a line that is not JSON or not an object, a key missing, of the wrong type
/// or unknown, a specimen listed twice.
Result<std::vector<TruthSpecimen>, files::FileErrors> parse_truth(std::string_view text,
                                                                  const std::string& file);

/// Reads and parses the truth file at `path`.
Result<std::vector<TruthSpecimen>, files::FileErrors> read_truth_file(
    const std::filesystem::path& path);

}  // namespace hemalink::report
