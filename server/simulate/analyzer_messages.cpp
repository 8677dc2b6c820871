#include "server/simulate/analyzer_messages.hpp"

#include <array>
#include <optional>

namespace hemalink::simulate {
namespace {

// False positives in healthy outpatients (chosen; Blasts/Abn_Lympho? 1.5 %: the published
// specificities, 84.9 % in a random series [R57] and 50.2 % in haemato-oncology [R58], are of
// sicker populations; PLT_Clumps? 0.15 %, so that its PPV is about 40 % [R63: 41.5 %]).
constexpr std::array<SuspectMessage, 10> kSuspectMessages = {{
    {"Blasts/Abn_Lympho?", true, 0.015},
    {"Atypical_Lympho?", true, 0.01},
    {"Left_Shift?", true, 0.015},
    {"NRBC?", false, 0.003},
    {"RBC_Agglutination?", false, 0.0005},
    {"Turbidity/HGB_Interference?", false, 0.001},
    {"Iron_Deficiency?", false, 0.005},
    {"HGB_Defect?", false, 0.003},
    {"Fragments?", false, 0.003},
    {"PLT_Clumps?", false, 0.0015},
}};

// Sensitivities. Blasts 96.3 % [R57]; atypical lymphocytes 88.5 % [R62]; PLT_Clumps? 85 %
// (chosen near PLT-F's 0.87 [R64]); the rest chosen.
constexpr double kBlastsSensitivity = 0.963;
constexpr double kAtypicalLymphoSensitivity = 0.885;
constexpr double kLeftShiftSevereSensitivity = 0.85;    // IG >= 5 %
constexpr double kLeftShiftModerateSensitivity = 0.40;  // IG 2-5 %
constexpr double kNrbcSensitivity = 0.90;
constexpr double kAgglutinationSensitivity = 0.90;
constexpr double kTurbiditySensitivity = 0.85;
constexpr double kIronDeficiencySensitivity = 0.85;
constexpr double kIronDeficiencyInThalassaemia = 0.30;
constexpr double kHgbDefectInThalassaemia = 0.70;
constexpr double kFragmentsSensitivity = 0.60;
constexpr double kFragmentsInHaemolysis = 0.30;
constexpr double kClumpsSensitivity = 0.85;
constexpr double kClumpsInClottedTube = 0.60;

std::optional<double> sensitivity(std::string_view name, const MessageCauses& c) {
  if (name == "Blasts/Abn_Lympho?" && c.has_blasts) {
    return kBlastsSensitivity;
  }
  if (name == "Atypical_Lympho?" && c.has_atypical_lymphocytes) {
    return kAtypicalLymphoSensitivity;
  }
  if (name == "Left_Shift?" && c.ig_pct >= 2.0) {
    return c.ig_pct >= 5.0 ? kLeftShiftSevereSensitivity : kLeftShiftModerateSensitivity;
  }
  if (name == "NRBC?" && c.has_nrbc) {
    return kNrbcSensitivity;
  }
  if (name == "RBC_Agglutination?" && c.has_cold_agglutinin) {
    return kAgglutinationSensitivity;
  }
  if (name == "Turbidity/HGB_Interference?" && c.is_lipaemic) {
    return kTurbiditySensitivity;
  }
  if (name == "Iron_Deficiency?" && (c.is_iron_deficient || c.is_thalassaemia_trait)) {
    return c.is_iron_deficient ? kIronDeficiencySensitivity : kIronDeficiencyInThalassaemia;
  }
  if (name == "HGB_Defect?" && c.is_thalassaemia_trait) {
    return kHgbDefectInThalassaemia;
  }
  if (name == "Fragments?" && (c.has_fragments || c.is_haemolysed)) {
    return c.has_fragments ? kFragmentsSensitivity : kFragmentsInHaemolysis;
  }
  if (name == "PLT_Clumps?" && (c.has_platelet_clumps || c.is_clotted)) {
    return c.has_platelet_clumps ? kClumpsSensitivity : kClumpsInClottedTube;
  }
  return std::nullopt;
}

// Judgement messages and their limits (chosen, near the XN's factory settings; a lab sets its
// own): positive when the reported value is below `low` or above `high`.
struct JudgementMessage {
  std::string_view name;
  std::string_view code;
  std::optional<double> low;
  std::optional<double> high;
  bool needs_differential;
};
constexpr std::array<JudgementMessage, 19> kJudgementMessages = {{
    {"Leukocytosis", "WBC", std::nullopt, 18.0, false},
    {"Leukocytopenia", "WBC", 2.5, std::nullopt, false},
    {"Neutrophilia", "NEUT_ABS", std::nullopt, 11.0, true},
    {"Neutropenia", "NEUT_ABS", 1.0, std::nullopt, true},
    {"Lymphocytosis", "LYMPH_ABS", std::nullopt, 4.0, true},
    {"Lymphopenia", "LYMPH_ABS", 0.8, std::nullopt, true},
    {"Monocytosis", "MONO_ABS", std::nullopt, 1.0, true},
    {"Eosinophilia", "EO_ABS", std::nullopt, 0.7, true},
    {"Basophilia", "BASO_ABS", std::nullopt, 0.2, true},
    {"IG_Present", "IG_ABS", std::nullopt, 0.1, true},
    {"NRBC_Present", "NRBC_ABS", std::nullopt, 0.0, false},
    {"Anemia", "HGB", 10.0, std::nullopt, false},
    {"Erythrocytosis", "RBC", std::nullopt, 6.5, false},
    {"Microcytosis", "MCV", 70.0, std::nullopt, false},
    {"Macrocytosis", "MCV", std::nullopt, 110.0, false},
    {"Hypochromia", "MCHC", 29.0, std::nullopt, false},
    {"Anisocytosis", "RDW_CV", std::nullopt, 20.0, false},
    {"Thrombocytopenia", "PLT", 60.0, std::nullopt, false},
    {"Thrombocytosis", "PLT", std::nullopt, 1000.0, false},
}};

// Q scores step by 10 (chosen): a true positive 130-300, a false one 100-170 (borderline), a
// negative mostly 0.
int q_score(bool is_positive, bool has_cause, RandomDraws& draws) {
  if (is_positive) {
    return 10 * (has_cause ? draws.integer(13, 30) : draws.integer(10, 17));
  }
  return draws.chance(0.85) ? 0 : 10 * draws.integer(1, 9);
}

}  // namespace

std::span<const SuspectMessage> suspect_messages() {
  return kSuspectMessages;
}

// (chosen)
double false_positive_factor(FlagBackground background) {
  switch (background) {
    case FlagBackground::HealthyOutpatient:
      return 1;
    case FlagBackground::Outpatient:
      return 2;
    case FlagBackground::Hospital:
      return 3;
    case FlagBackground::IntensiveCare:
      return 5;
    case FlagBackground::Oncology:
      return 6;
  }
  return 1;
}

double chance_positive(const SuspectMessage& message, const MessageCauses& causes,
                       FlagBackground background) {
  return sensitivity(message.name, causes)
      .value_or(message.false_positive * false_positive_factor(background));
}

std::vector<AnalyzerMessage> analyzer_messages(const MessageCauses& causes,
                                               FlagBackground background,
                                               const std::vector<LabValue>& reported,
                                               bool with_differential, RandomDraws& draws) {
  std::vector<AnalyzerMessage> out;
  for (const auto& m : kSuspectMessages) {
    if (m.needs_differential && !with_differential) {
      continue;
    }
    const bool has_cause = sensitivity(m.name, causes).has_value();
    const bool is_positive = draws.chance(chance_positive(m, causes, background));
    out.push_back({std::string(m.name), q_score(is_positive, has_cause, draws), is_positive});
  }
  for (const auto& m : kJudgementMessages) {
    const auto value = value_of(reported, m.code);
    if (m.needs_differential && !with_differential) {
      continue;
    }
    const bool is_positive = value && ((m.low && *value < *m.low) || (m.high && *value > *m.high));
    out.push_back({std::string(m.name), std::nullopt, is_positive});
  }
  return out;
}

}  // namespace hemalink::simulate
