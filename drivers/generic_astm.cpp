// Generic ASTM driver: any analyzer sending LIS02-A2 (ASTM E1394) results, driven by its mapping
// table and an AstmLayout (where the specimen ID and the test code are). Written against
// LIS02-A2 and the captures in ../shared/corpus (Roche cobas, Abbott ARCHITECT, Stago, Horiba,
// Ortho VITROS, Phadia).
//
// Quirks handled:
// - Specimen ID from the configured O field/component, else O-3 component 1, else O-4
//   (component 3, then 1): senders disagree on which they fill.
// - Test code from the configured R-3 component (default 4, `^^^CODE`), else the first
//   non-empty component: vendors load components 4 to 9 differently.
// - Several O records for one specimen (Stago sends one per test) make one result set.
// - R-9 result status (F, P, C, X, I, R, V, W, S, N) mapped to final/preliminary/corrected/
//   cannot_report.
// - QC: O-12 `Q`, or a specimen descriptor (O-16) of `CTRL`/`QC` as Horiba sends
//   (`CTRL^^CTRL MEDIUM`: the third component is the level).
// - C records attach to the result, order or patient they follow; M records are kept as
//   traceability (reagent lots, calibrations, curves), never as results.

#include "drivers/common/astm_fields.hpp"
#include "drivers/common/observations.hpp"
#include "drivers/common/values.hpp"
#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "drivers/registry.hpp"

namespace hemalink::drivers {
namespace {

constexpr std::string_view kName = "generic-astm";

core::ResultStatus status_of(std::string_view r9) {
  if (r9 == "P" || r9 == "I" || r9 == "S") {
    return core::ResultStatus::Preliminary;
  }
  if (r9 == "C") {
    return core::ResultStatus::Corrected;
  }
  if (r9 == "X") {
    return core::ResultStatus::CannotReport;
  }
  return core::ResultStatus::Final;
}

class GenericAstm final : public Driver {
 public:
  explicit GenericAstm(DriverSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  Input input() const override { return Input::Astm; }

  Result<Translation> translate(const astm::Lis2Message& message) const override {
    Translation out;
    const AstmFields fields(message, settings_.charset);
    core::Analyzer analyzer{std::string(kName), "", "", ""};
    std::optional<core::Patient> patient;
    std::vector<std::string> patient_comments;
    std::size_t current = SIZE_MAX;
    core::Observation* last = nullptr;
    for (std::size_t i = 0; i < message.record_count(); ++i) {
      const auto record = message.record(i);
      switch (record.type()) {
        case 'H':
          analyzer = analyzer_from_header(fields, record, kName);
          break;
        case 'P':
          patient = patient_from(fields, record, {2, 3, 4});
          break;
        case 'O': {
          auto specimen = specimen_id(fields, record);
          if (specimen.empty()) {
            return fields.error(record, settings_.astm_layout.specimen_field - 1,
                                "no specimen ID in the configured field, O-3 or O-4");
          }
          current = find_or_add(out.result_sets, specimen);
          auto& set = out.result_sets[current];
          set.analyzer = analyzer;
          set.patient = patient;
          set.comments.insert(set.comments.end(), patient_comments.begin(), patient_comments.end());
          patient_comments.clear();
          const auto action = fields.text(record, 11);
          const auto descriptor = fields.component(record, 15, 1);
          if (action == "Q" || descriptor == "CTRL" || descriptor == "QC") {
            set.kind = core::SpecimenKind::QualityControl;
            set.qc_level = fields.component(record, 15, 3);
          }
          set.is_rerun = set.is_rerun || action == "A";
          if (set.kind == core::SpecimenKind::Patient) {
            set.sample_type = descriptor;
          }
          last = nullptr;
          break;
        }
        case 'R': {
          if (current == SIZE_MAX) {
            return result_before_order(record);
          }
          auto code = test_code(fields, record);
          if (code.empty()) {
            return fields.error(record, 2, "the universal test ID holds no code");
          }
          last =
              &add_result(fields, record, std::move(code), out.result_sets[current], out.warnings);
          break;
        }
        case 'C': {
          auto text = fields.text(record, 3);
          if (text.empty()) {
            break;
          }
          if (last != nullptr) {
            last->comments.push_back(std::move(text));
          } else if (current != SIZE_MAX) {
            out.result_sets[current].comments.push_back(std::move(text));
          } else {
            patient_comments.push_back(std::move(text));
          }
          break;
        }
        case 'M':
          if (current != SIZE_MAX) {
            out.result_sets[current].traceability.push_back(
                {"manufacturer", std::string(record.raw())});
          }
          break;
        default:
          break;
      }
    }
    return out;
  }

 private:
  std::string specimen_id(const AstmFields& fields, const astm::Lis2Record& record) const {
    const auto& layout = settings_.astm_layout;
    for (auto [field, component] :
         {std::pair{layout.specimen_field, layout.specimen_component},
          std::pair<std::size_t, std::size_t>{3, 1}, std::pair<std::size_t, std::size_t>{4, 3},
          std::pair<std::size_t, std::size_t>{4, 1}}) {
      auto value = fields.component(record, field - 1, component);
      if (!value.empty()) {
        return value;
      }
    }
    return {};
  }

  std::string test_code(const AstmFields& fields, const astm::Lis2Record& record) const {
    auto code = fields.component(record, 2, settings_.astm_layout.test_code_component);
    for (std::size_t c = 4; code.empty() && c <= 9; ++c) {
      code = fields.component(record, 2, c);
    }
    for (std::size_t c = 1; code.empty() && c <= 3; ++c) {
      code = fields.component(record, 2, c);
    }
    return code;
  }

  static std::size_t find_or_add(std::vector<core::ResultSet>& sets, const std::string& specimen) {
    for (std::size_t i = 0; i < sets.size(); ++i) {
      if (sets[i].specimen_id == specimen) {
        return i;
      }
    }
    sets.emplace_back().specimen_id = specimen;
    return sets.size() - 1;
  }

  core::Observation& add_result(const AstmFields& fields, const astm::Lis2Record& record,
                                std::string code, core::ResultSet& set,
                                std::vector<std::string>& warnings) const {
    const auto value = parse_value(fields.text(record, 3));
    core::Observation& o = set.observations.emplace_back();
    o.raw_code = std::move(code);
    o.value = value.text;
    o.numeric = value.numeric;
    o.comparator = value.comparator;
    o.raw_units = fields.text(record, 4);
    o.reference_range = fields.component(record, 5, 1);
    apply_abnormal_flags(o, fields.repeats(record, 6));
    o.status = status_of(fields.text(record, 8));
    o.measured_at = fields.text(record, 12);
    if (o.measured_at.empty()) {
      o.measured_at = fields.text(record, 11);
    }
    apply_mapping(o, settings_.mappings.find(o.raw_code), warnings);
    return o;
  }

  DriverSettings settings_;
};

}  // namespace

std::unique_ptr<Driver> make_generic_astm(DriverSettings settings) {
  return std::make_unique<GenericAstm>(std::move(settings));
}

}  // namespace hemalink::drivers
