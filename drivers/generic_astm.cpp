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
#include "drivers/common/astm_record_walk.hpp"
#include "drivers/common/observations.hpp"
#include "drivers/common/values.hpp"
#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "drivers/registry.hpp"

namespace hemalink::drivers {
namespace {

constexpr std::string_view kName = "generic-astm";

model::ResultStatus status_of(std::string_view r9) {
  if (r9 == "P" || r9 == "I" || r9 == "S") {
    return model::ResultStatus::Preliminary;
  }
  if (r9 == "C") {
    return model::ResultStatus::Corrected;
  }
  if (r9 == "X") {
    return model::ResultStatus::CannotReport;
  }
  return model::ResultStatus::Final;
}

class GenericAstm final : public MappingDriver, private AstmRecordHooks {
 public:
  explicit GenericAstm(DriverSettings settings) : MappingDriver(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  model::WireProtocol input() const override { return model::WireProtocol::Astm; }

  Result<Translation> translate(const astm::Lis2Message& message) const override {
    return walk_records(message, settings_.charset, kName, *this);
  }

 private:
  // AstmRecordHooks
  model::Patient patient(const AstmFields& fields, const astm::Lis2Record& record) const override {
    return patient_from(fields, record, {2, 3, 4});
  }

  // Orders of one specimen (one O record per test, as many analyzers send) share a result set.
  Result<model::ResultSet*> order(AstmWalk& walk, const astm::Lis2Record& record) const override {
    const auto& fields = walk.fields;
    auto specimen = specimen_id(fields, record);
    if (specimen.empty()) {
      return fields.error(record, settings_.astm_layout.specimen_field - 1,
                          "no specimen ID in the configured field, O-3 or O-4");
    }
    auto& set = find_or_add(walk.out.result_sets, specimen);
    const auto action = fields.text(record, 11);
    const auto descriptor = fields.component(record, 15, 1);
    if (action == "Q" || descriptor == "CTRL" || descriptor == "QC") {
      set.kind = model::SpecimenKind::QualityControl;
      set.qc_level = fields.component(record, 15, 3);
    }
    set.is_rerun = set.is_rerun || action == "A";
    if (const auto priority = model::priority_from_code(fields.text(record, 5));  // O-6
        priority > set.priority)
      set.priority = priority;
    if (set.kind == model::SpecimenKind::Patient) {
      set.sample_type = descriptor;
    }
    return &set;
  }

  Result<model::Observation*> result(AstmWalk& walk, const astm::Lis2Record& record,
                                     model::ResultSet& set) const override {
    auto code = test_code(walk.fields, record);
    if (code.empty()) {
      return walk.fields.error(record, 2, "the universal test ID holds no code");
    }
    return &add_result(walk.fields, record, std::move(code), set, walk.out.warnings);
  }

  // M: manufacturer records (Stago), kept with the order they follow.
  void other(AstmWalk& walk, const astm::Lis2Record& record) const override {
    if (record.type() == 'M' && walk.current != nullptr) {
      walk.current->traceability.push_back({"manufacturer", std::string(record.raw())});
    }
  }

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

  static model::ResultSet& find_or_add(std::vector<model::ResultSet>& sets,
                                       const std::string& specimen) {
    for (auto& set : sets) {
      if (set.specimen_id == specimen) {
        return set;
      }
    }
    auto& added = sets.emplace_back();
    added.specimen_id = specimen;
    return added;
  }

  model::Observation& add_result(const AstmFields& fields, const astm::Lis2Record& record,
                                 std::string code, model::ResultSet& set,
                                 std::vector<std::string>& warnings) const {
    const auto value = parse_value(fields.text(record, 3));
    model::Observation& o = set.observations.emplace_back();
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

  const QueryLayout* query_layout() const override { return &query_layout_; }

  // LIS02-A2: the specimen ID in O-3 component 1, the patient ID in P-3, `L|1|I` for no work.
  QueryLayout query_layout_{.test_code_component = settings_.astm_layout.test_code_component};
};

}  // namespace

std::unique_ptr<Driver> make_generic_astm(DriverSettings settings) {
  return std::make_unique<GenericAstm>(std::move(settings));
}

}  // namespace hemalink::drivers
