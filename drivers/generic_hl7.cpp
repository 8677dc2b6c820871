// Generic HL7 v2 driver: ORU^R01 (v2.3.1–2.5.1) and IHE LAW OUL^R22 (LAB-29: SPM, SAC, OBR, ORC,
// OBX order), driven by the analyzer's mapping table. Written against HL7 v2.5.1 chapter 7, the
// IHE LAW profile, and the captures in ../shared/corpus (Mindray BC-5380, BioSystems BA400,
// Siemens CLINITEK).
//
// Quirks handled:
// - The specimen ID is SPM-2 when there is an SPM (LAW), else OBR-3 (filler order number, where
//   Mindray puts the sample ID), else OBR-2; OBR-2 `""` (HL7 null) counts as empty.
// - OBX-3 is looked up in the mapping table by identifier (component 1, often a LOINC), then by
//   text (component 2); with coding system `LN` the identifier is the LOINC even when unmapped.
// - OBX-2 NM values are numbers; SN values (`^182`, `<^0.5`) give comparator and number; ED and
//   RP values (images, histograms) are attachments, never results.
// - OBX-8 repeats (`H~N`): the first abnormal code is the flag, the rest instrument flags.
// - OBX-19 (v2.5 analysis time) is preferred to OBX-14.
// - SPM-11 specimen role `Q` is QC and `C` calibration.
// - NTE after an OBX is a result comment, after OBR/SPM a specimen comment.
// - An OBX the mapping table names a flag (`"role": "flag"`) is a specimen flag: Mindray BC sends
//   its flags as IS values T/F (`12014^Anemia^99MRC` = T); an XN IP message is read as its ASTM
//   R record laid out in an OBX: the name in OBX-3, the Q-flag score in OBX-5, the positive
//   marker `A` in OBX-8 (no XN HL7 capture or interface document was at hand: the layout is
//   inferred from the ASTM one).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "drivers/common/demographics.hpp"
#include "drivers/common/hl7_fields.hpp"
#include "drivers/common/observations.hpp"
#include "drivers/common/values.hpp"
#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "drivers/registry.hpp"

namespace hemalink::drivers {
namespace {

constexpr std::string_view kName = "generic-hl7";

model::ResultStatus status_of(std::string_view obx11) {
  if (obx11 == "P" || obx11 == "R" || obx11 == "I" || obx11 == "S") {
    return model::ResultStatus::Preliminary;
  }
  if (obx11 == "C") {
    return model::ResultStatus::Corrected;
  }
  if (obx11 == "X" || obx11 == "D" || obx11 == "W") {
    return model::ResultStatus::CannotReport;
  }
  return model::ResultStatus::Final;
}

// Some analyzers ask for their work with an order message (ORM^O01 with ORC-1 RF, an OML): it
// carries no result, and hemalink answers work requests only as IHE LAW LAB-27 queries (or sends
// the work unasked, in download mode). Refused naming that, not as results that fail to read.
Result<void, ParseError> refuse_work_request(const hl7::V2Message& message, const Hl7Fields& f) {
  const auto msh = message.find("MSH");
  if (!msh)
    return {};
  const auto code = f.component(*msh, 9, 1);
  if (code != "ORM" && code != "OML")
    return {};
  const auto orc = message.find("ORC");
  const auto control = orc ? f.field(*orc, 1) : std::string();
  return ParseError{
      make_error_code(Errc::WrongInput),
      fmt::format("segment {} (MSH), field MSH-9: message type '{}^{}'{} is a request for work, "
                  "not results: hemalink answers an analyzer's work request as an IHE LAW LAB-27 "
                  "query (QBP^Q11), or sends the work unasked in download mode",
                  msh->number(), code, f.component(*msh, 9, 2),
                  control.empty() ? "" : fmt::format(" (ORC-1 '{}')", control)),
      msh->offset()};
}

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// Whether an instrument flag is found. OBX-8 `A` is the analyzer's positive marker (the XN's, on
// a Q-flag score at or above its threshold); else the value says it: T/Y/POS/1 (Mindray's T,
// HL7 table 0136's Y) or F/N/NEG/0, except that an NM number (1 included) is a score, not an
// answer: without `A` the analyzer did not call it positive. Any other answer, an empty one
// included, counts as positive: a flag hemalink cannot read is shown to the technologist for a look
// rather than hidden.
bool flag_is_positive(std::string_view type, const std::string& value,
                      const std::vector<std::string>& abnormal_flags) {
  if (std::find(abnormal_flags.begin(), abnormal_flags.end(), "A") != abnormal_flags.end()) {
    return true;
  }
  if (type == "NM" && parse_number(value).has_value()) {
    return false;  // a score, 1 included
  }
  static constexpr std::array<std::string_view, 6> kYes = {"T", "Y", "YES", "POS", "POSITIVE", "1"};
  static constexpr std::array<std::string_view, 6> kNo = {"F", "N", "NO", "NEG", "NEGATIVE", "0"};
  const auto answer = upper(value);
  if (std::find(kYes.begin(), kYes.end(), answer) != kYes.end()) {
    return true;
  }
  if (std::find(kNo.begin(), kNo.end(), answer) != kNo.end()) {
    return false;
  }
  const bool is_score = type.empty() && parse_number(value).has_value();
  return !is_score;
}

class GenericHl7 final : public MappingDriver {
 public:
  explicit GenericHl7(DriverSettings settings) : MappingDriver(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  model::WireProtocol input() const override { return model::WireProtocol::Hl7; }

  Result<Translation> translate(const hl7::V2Message& message) const override {
    Translation out;
    const Hl7Fields f(message);
    if (auto accepted = refuse_work_request(message, f); !accepted) {
      return accepted.error();
    }
    model::Analyzer analyzer{std::string(kName), "", "", ""};
    std::optional<model::Patient> patient;
    std::size_t current = SIZE_MAX;
    model::Observation* last = nullptr;
    bool has_spm = false;
    for (std::size_t i = 0; i < message.segment_count(); ++i) {
      const auto s = message.segment(i);
      const auto id = s.id();
      if (id == "MSH") {
        analyzer.model = f.component(s, 3, 1);
        analyzer.serial = f.component(s, 3, 2);
      } else if (id == "PID") {
        patient = model::Patient{demographic_text(not_null(f.component(s, 3, 1))),
                                 patient_sex(not_null(f.field(s, 8))),
                                 birth_date(f.component(s, 7, 1)), std::nullopt};
      } else if (id == "SPM") {
        has_spm = true;
        auto specimen = not_null(f.component(s, 2, 1));
        if (specimen.empty()) {
          specimen = not_null(f.component(s, 2, 2));
        }
        if (specimen.empty()) {
          return error(s, 2, "SPM-2 holds no specimen ID");
        }
        current = start_set(out, specimen, analyzer, patient);
        const auto role = f.component(s, 11, 1);
        auto& set = out.result_sets[current];
        set.kind = role == "Q"   ? model::SpecimenKind::QualityControl
                   : role == "C" ? model::SpecimenKind::Calibration
                                 : model::SpecimenKind::Patient;
        set.sample_type = f.component(s, 4, 1);
        last = nullptr;
      } else if (id == "OBR") {
        last = nullptr;
        if (!has_spm) {  // LAW: the specimen is the SPM's
          auto specimen = not_null(f.component(s, 3, 1));
          if (specimen.empty()) {
            specimen = not_null(f.component(s, 2, 1));
          }
          if (specimen.empty()) {
            return error(s, 3, "neither OBR-3 nor OBR-2 holds a specimen ID");
          }
          current = start_set(out, specimen, analyzer, patient);
        }
        // OBR-27.6 (quantity/timing's priority, v2.3-2.4), else OBR-5 (the older field).
        auto priority = model::priority_from_code(f.component(s, 27, 6));
        if (priority == model::Priority::Unknown)
          priority = model::priority_from_code(f.field(s, 5));
        raise_priority(out, current, priority);
      } else if (id == "TQ1") {
        raise_priority(out, current, model::priority_from_code(f.component(s, 9, 1)));  // v2.5
      } else if (id == "OBX") {
        if (current == SIZE_MAX) {
          return ParseError{
              make_error_code(Errc::MissingRecord),
              fmt::format("segment {} (OBX): observation before any OBR or SPM", s.number()),
              s.offset()};
        }
        last = add_observation(f, s, out.result_sets[current], out.warnings);
      } else if (id == "NTE") {
        auto text = f.field(s, 3);
        if (text.empty()) {
          continue;
        }
        if (last != nullptr) {
          last->comments.push_back(std::move(text));
        } else if (current != SIZE_MAX) {
          out.result_sets[current].comments.push_back(std::move(text));
        }
      }
    }
    return out;
  }

 private:
  static ParseError error(const hl7::V2Segment& s, std::size_t field, std::string_view what) {
    return {
        make_error_code(Errc::MalformedField),
        fmt::format("segment {} ({}), field {}-{}: {}", s.number(), s.id(), s.id(), field, what),
        s.offset()};
  }

  static void raise_priority(Translation& out, std::size_t current, model::Priority priority) {
    if (current != SIZE_MAX && priority > out.result_sets[current].priority)
      out.result_sets[current].priority = priority;
  }

  static std::size_t start_set(Translation& out, const std::string& specimen,
                               const model::Analyzer& analyzer,
                               const std::optional<model::Patient>& patient) {
    for (std::size_t i = 0; i < out.result_sets.size(); ++i) {
      if (out.result_sets[i].specimen_id == specimen) {
        return i;
      }
    }
    auto& set = out.result_sets.emplace_back();
    set.specimen_id = specimen;
    set.analyzer = analyzer;
    set.patient = patient;
    return out.result_sets.size() - 1;
  }

  model::Observation* add_observation(const Hl7Fields& f, const hl7::V2Segment& s,
                                      model::ResultSet& set,
                                      std::vector<std::string>& warnings) const {
    const auto type = f.field(s, 2);
    const auto identifier = f.component(s, 3, 1);
    const auto text = f.component(s, 3, 2);
    const auto system = f.component(s, 3, 3);
    const std::string raw_code = identifier.empty() ? text : identifier;
    if (type == "ED" || type == "RP") {
      set.attachments.push_back({raw_code, f.field(s, 5)});
      return nullptr;
    }
    const CodeMapping* mapping = settings_.mappings.find(identifier);
    if (mapping == nullptr && !text.empty()) {
      mapping = settings_.mappings.find(text);
    }
    if (mapping != nullptr && mapping->role == CodeRole::Flag) {
      const auto value = parse_value(f.field(s, 5)).text;
      set.specimen_flags.push_back({mapping->code.empty() ? raw_code : mapping->code,
                                    parse_number(value),
                                    flag_is_positive(type, value, f.repeats(s, 8))});
      return nullptr;
    }
    if (mapping != nullptr && mapping->role == CodeRole::Attachment) {
      set.attachments.push_back({raw_code, f.field(s, 5)});
      return nullptr;
    }
    model::Observation& o = set.observations.emplace_back();
    o.raw_code = raw_code;
    if (type == "SN") {
      read_structured_numeric(f, s, o);
    } else {
      const auto value = parse_value(f.field(s, 5));
      o.value = value.text;
      if (type == "NM" || type.empty()) {
        o.numeric = value.numeric;
        o.comparator = value.comparator;
      }
    }
    o.raw_units = f.component(s, 6, 1);
    o.reference_range = f.field(s, 7);
    apply_abnormal_flags(o, f.repeats(s, 8));
    o.status = status_of(f.field(s, 11));
    o.measured_at = f.field(s, 19).empty() ? f.field(s, 14) : f.field(s, 19);
    apply_mapping(o, mapping, warnings);
    if (o.loinc.empty() && system == "LN") {
      o.loinc = identifier;
    }
    if (!o.is_mapped && system == "LN" && !text.empty()) {
      o.code = text;  // a LOINC-coded result is still readable by its name
    }
    return &o;
  }

  // SN: comparator ^ number [^ separator ^ number]; "^182" is 182, "<^0.5" is < 0.5.
  static void read_structured_numeric(const Hl7Fields& f, const hl7::V2Segment& s,
                                      model::Observation& o) {
    const auto comparator = f.component(s, 5, 1);
    const auto number = f.component(s, 5, 2);
    const auto separator = f.component(s, 5, 3);
    const auto second = f.component(s, 5, 4);
    o.value = comparator + number + separator + second;
    if (!separator.empty() || !second.empty()) {
      return;  // a range or ratio: kept as text
    }
    const auto value = parse_value(comparator + number);
    o.numeric = value.numeric;
    o.comparator = value.comparator;
  }
};

}  // namespace

std::unique_ptr<Driver> make_generic_hl7(DriverSettings settings) {
  return std::make_unique<GenericHl7>(std::move(settings));
}

}  // namespace hemalink::drivers
