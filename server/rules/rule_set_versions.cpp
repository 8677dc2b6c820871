#include "server/rules/rule_set_versions.hpp"

namespace hemalink::rules {

const char* to_string(VersionStatus status) {
  switch (status) {
    case VersionStatus::Draft:
      return "draft";
    case VersionStatus::Shadow:
      return "shadow";
    case VersionStatus::Live:
      return "live";
    case VersionStatus::Retired:
      return "retired";
  }
  return "draft";
}

std::optional<VersionStatus> version_status_of(std::string_view text) {
  for (const auto s :
       {VersionStatus::Draft, VersionStatus::Shadow, VersionStatus::Live, VersionStatus::Retired}) {
    if (text == to_string(s))
      return s;
  }
  return std::nullopt;
}

}  // namespace hemalink::rules
