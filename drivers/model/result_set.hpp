#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::model {

/// What a specimen is: a patient sample, a quality-control material, or a calibrator.
enum class SpecimenKind { Patient, QualityControl, Calibration };

/// How urgent the analyzer says the specimen is (ASTM O-6; HL7 TQ1-9, OBR-27.6 or OBR-5): STAT
/// specimens go to the head of the review queue. Unknown when it says nothing.
enum class Priority { Unknown, Routine, Asap, Stat };

/// The result's comparator when the analyzer reports a bound instead of a value (`<0.5`, `>100`).
enum class Comparator { None, Less, LessOrEqual, Greater, GreaterOrEqual };

/// Result status, from ASTM R-9 or HL7 OBX-11.
enum class ResultStatus { Final, Preliminary, Corrected, CannotReport };

/// An instrument flag on a specimen (a Sysmex IP message such as `Blasts?`): its name, the
/// Q-flag score when the analyzer sends one, and whether the analyzer calls it positive.
struct SpecimenFlag {
  std::string name;
  std::optional<double> score;
  bool is_positive = false;
};

/// A reference the analyzer sent instead of data (a scattergram file name, a histogram): kept,
/// never treated as a result.
struct Attachment {
  std::string code;
  std::string reference;
};

/// Calibration and reagent-lot records (Sysmex CS C records, Stago M records), kept for
/// traceability.
struct Traceability {
  std::string kind;  ///< "calibration", "reagent_lot", or the analyzer's own word.
  std::string text;  ///< As sent, components kept.
};

/// One measured or calculated value. What the rules read of every result (code, number,
/// comparator, status, flags) comes first: a specimen's results are then read from few cache lines.
struct Observation {
  std::string code;  ///< Canonical code (`WBC`, `PT_SEC`, `CD4_ABS`); the raw code if unmapped.
  std::optional<double> numeric;  ///< The number, when the value is one (after the comparator).
  Comparator comparator = Comparator::None;
  ResultStatus status = ResultStatus::Final;
  bool is_mapped = false;
  std::vector<std::string> flags;  ///< Other instrument flags on this result (W, >, <, ...).
  std::string raw_code;            ///< The analyzer's own code, as sent.
  std::string loinc;
  std::string value;      ///< Text as sent, trimmed; empty when the analyzer gave none.
  std::string units;      ///< UCUM.
  std::string raw_units;  ///< As sent.
  std::string reference_range;
  std::string abnormal_flag;  ///< L, H, LL, HH, A, N, or empty.
  std::string measured_at;    ///< As sent (YYYYMMDDHHMMSS for ASTM; HL7 TS).
  std::string dilution;
  /// The analyzer's own rerun/reflex judgement (Sysmex R-9: `repeat`, `rerun_or_reflex`,
  /// `host_query`); empty when it has none.
  std::string analyzer_judgement;
  std::optional<int> decimals;  ///< From the mapping table, for reporting.
  std::vector<std::string> comments;
};

struct Analyzer {
  std::string driver;  ///< The driver that translated the message (`sysmex-xn`).
  std::string model;   ///< From the H record or MSH (`XN-550`).
  std::string serial;
  std::string software_version;
};

struct Patient {
  std::string id;
  std::string sex;         ///< M, F, U or as sent.
  std::string birth_date;  ///< YYYYMMDD as sent.
  std::optional<double> age_years;
};

/// Everything one transmission says about one specimen.
struct ResultSet {
  Analyzer analyzer;
  std::string specimen_id;    ///< As the lab knows it (barcode), trimmed.
  std::string sample_number;  ///< The analyzer's own sample number, when it differs.
  std::string rack;
  std::string tube_position;
  std::string sample_type;
  std::optional<Patient> patient;
  SpecimenKind kind = SpecimenKind::Patient;
  std::string qc_material;
  std::string qc_level;
  std::string qc_lot;
  bool is_rerun = false;
  Priority priority = Priority::Unknown;
  std::vector<Observation> observations;
  std::vector<SpecimenFlag> specimen_flags;
  std::vector<std::string> comments;
  std::vector<Attachment> attachments;
  std::vector<Traceability> traceability;
};

const char* to_string(SpecimenKind kind);
/// "", "routine", "asap", "stat".
const char* to_string(Priority priority);
/// The one-letter code an order carries (ASTM O-6, HL7 TQ1-9): S, A, or R (routine, also when
/// none was given).
const char* priority_code(Priority priority);
/// A priority as ASTM (S, A, R) and HL7 (Table 0027: S, A, R, P, C, T) send it, as a code or as
/// the word (STAT, ASAP, Routine, Pre-op, Callback, Timing critical; Urgent), in any case, spaces
/// and hyphens ignored; Unknown for anything else. C callback, P pre-operative and T timing
/// critical are not urgent enough to jump the queue: routine.
Priority priority_from_code(std::string_view code);

/// The specimen's first result of `code` (canonical), or nullptr when it has none.
const Observation* find_result(const ResultSet& specimen, std::string_view code);
const char* to_string(Comparator comparator);
const char* to_string(ResultStatus status);

}  // namespace hemalink::model
