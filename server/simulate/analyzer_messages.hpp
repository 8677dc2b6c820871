#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "server/simulate/lab_day.hpp"
#include "server/simulate/random_draws.hpp"

namespace hemalink::simulate {

/// What in a tube can make the XN raise a suspect message.
struct MessageCauses {
  bool has_blasts = false;
  bool has_atypical_lymphocytes = false;
  bool has_nrbc = false;
  bool is_iron_deficient = false;
  bool is_thalassaemia_trait = false;
  bool has_cold_agglutinin = false;
  bool is_lipaemic = false;
  bool is_haemolysed = false;
  bool has_fragments = false;
  bool has_platelet_clumps = false;
  bool is_clotted = false;
  double ig_pct = 0;  ///< The blood's immature granulocytes, %.
};

/// Whose tubes: false positives are rarer in healthy outpatients than in sick inpatients.
enum class FlagBackground { HealthyOutpatient, Outpatient, Hospital, IntensiveCare, Oncology };

/// A suspect message: its name, whether it comes from the differential (WDF) channel, its false
/// positive share in healthy outpatients, and its sensitivity for each cause.
struct SuspectMessage {
  std::string_view name;
  bool needs_differential = false;
  double false_positive = 0;
};
std::span<const SuspectMessage> suspect_messages();
/// How many times more false positives than in healthy outpatients.
double false_positive_factor(FlagBackground background);
/// The chance that the message is positive for a tube with these causes; the false positive
/// share when none of its causes is there.
double chance_positive(const SuspectMessage& message, const MessageCauses& causes,
                       FlagBackground background);

/// The IP messages of a tube: every suspect message (of the differential channel only with a
/// differential) with a Q score, then every judgement message with none, positive when the
/// reported value is outside the analyzer's limit. `reported` holds the tube's values.
std::vector<AnalyzerMessage> analyzer_messages(const MessageCauses& causes,
                                               FlagBackground background,
                                               const std::vector<LabValue>& reported,
                                               bool with_differential, RandomDraws& draws);

}  // namespace hemalink::simulate
