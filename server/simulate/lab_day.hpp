#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::simulate {

/// Whose specimens a lab day holds (docs/lab-day.md gives each profile's case mix, with sources).
enum class LabProfile {
  Hospital,    ///< About half inpatients (wards, ICU), ED, outpatients: a general hospital.
  Outpatient,  ///< Clinics and general practice: mostly healthy adults, few abnormal counts.
  Oncology,    ///< A cancer centre: chemotherapy cytopenias, leukaemias, many repeat counts.
};

std::optional<LabProfile> lab_profile_from_name(std::string_view name);
std::string_view name_of(LabProfile profile);

/// Which analyzer measures a specimen: the tube type follows (EDTA for CBC and lymphocyte
/// subsets, citrate for coagulation).
enum class Bench { Hematology, Coagulation, Flow };

/// One person of the day, as the LIS knows them.
struct LabPatient {
  std::string id;  ///< MRN: `P`, the seed modulo 1000 in 3 digits, the patient's number in 5.
  std::string family_name;
  std::string given_name;
  char sex = 'F';          ///< 'F' or 'M'.
  std::string birth_date;  ///< YYYYMMDD.
  std::string location;    ///< PV1-3 point of care: `OPD`, `ED`, `ICU`, `WARD3`, `ONC`...
  bool is_inpatient = false;
};

/// A value as the lab names it: canonical code (`HGB`, `NEUT_PCT`, `INR`, `CD4_ABS`, the codes
/// of config/mappings), in the units of that mapping (XN: 10*3/uL, g/dL, fL, %; CS: s, g/L).
struct LabValue {
  std::string code;
  double value = 0;
};

/// The value of `code` among `values`, if it is there.
std::optional<double> value_of(const std::vector<LabValue>& values, std::string_view code);

/// A Sysmex IP message: a suspect message (`Blasts/Abn_Lympho?`) with its Q-flag score
/// (0-300, positive from 100), or an abnormal/judgement message (`Leukocytosis`) with none.
struct AnalyzerMessage {
  std::string name;
  std::optional<int> q;
  bool is_positive = false;
};

/// What the generator knows and no rule may: whether a person must look at the specimen.
struct SpecimenTruth {
  std::string condition;  ///< The condition drawn (`healthy`, `acute-leukaemia`, ...).
  bool must_review = false;
  std::string why;  ///< Empty when no review is needed; else in a technologist's words.
};

/// One tube of the day, in the order the lab receives them.
struct LabSpecimen {
  std::string id;  ///< The tube's barcode: the seed modulo 1000 in 3 digits, then 7 digits.
  std::size_t patient = 0;  ///< Index into LabDay::patients.
  Bench bench = Bench::Hematology;
  bool is_stat = false;
  /// Minutes after the day's start when it was drawn (it is measured some minutes later).
  int drawn_minute = 0;
  /// What the LIS orders on it, in the LIS's codes (config/lis/example-lis.json order_panels:
  /// FBC, DIFF, RETIC, COAG, FIB, DDIMER, LSUB).
  std::vector<std::string> ordered;
  /// What the analyzer reports for the ordered tests (artefacts included), canonical codes.
  std::vector<LabValue> results;
  /// Hematology: the XN's IP messages (every suspect message with its Q score, those of the
  /// differential channel only with DIFF; every judgement message; positives marked).
  std::vector<AnalyzerMessage> messages;
  /// Coagulation: the analyzer's sample check failed (clot or short sample): results flagged.
  bool sample_check_failed = false;
  SpecimenTruth truth;
};

/// A control run of an analyzer before the specimen at `before_specimen` (shift start and every
/// 8 hours of the day).
struct LabQcRun {
  Bench bench = Bench::Hematology;
  std::size_t before_specimen = 0;
  int minute = 0;
  bool fails = false;  ///< Reads +3.5 SD on level 1: a 1-3s rejection.
};

struct LabDayPlan {
  std::size_t specimens = 200;
  LabProfile profile = LabProfile::Hospital;
  std::uint32_t seed = 1;
  /// This control run of the hematology analyzer (1: the first) fails; 0: none.
  std::size_t qc_fail_run = 0;
};

struct LabDay {
  LabDayPlan plan;
  std::vector<LabPatient> patients;
  std::vector<LabSpecimen> specimens;
  std::vector<LabQcRun> qc_runs;
};

/// The day: the same plan gives the same day, byte for byte, on every machine.
LabDay generate_lab_day(const LabDayPlan& plan);

/// The truth file's line for one specimen (JSON, no newline): specimen_id, profile, condition,
/// must_review, why.
std::string truth_line(const LabDay& day, const LabSpecimen& specimen);

}  // namespace hemalink::simulate
