// Sysmex CA and CS series coagulation analyzers (CA-600/1500/7000, CS-1600, CS-2000i/2100i,
// CS-2500, CS-5100) over ASTM (E1381 over RS-232 or TCP). Written against the CA-600, CS-1600,
// CS-2000i/2100i (rev. 2.24) and CS-2500 (rev. 3.02) ASTM Host Interface Specifications (public
// copies cited in ../shared/docs/protocols.md §4.2).
//
// Quirks handled:
// - The sample number is in O-4 (`rack^tube^sample no^attribute`), right-justified and padded
//   with spaces to 15 characters: trimmed. O-3 is used only when O-4 is empty.
// - The test is a 3-digit parameter code in component 4 of R-3; component 5 is its name (a `~`
//   inside it is literal text), component 6 the dilution ratio in percent (`100.00`). The codes
//   depend on the model and on the assays configured (044 is derived fibrinogen on one CS-2500
//   and INR on a CS-1600), so the mapping table is per analyzer: config/mappings/sysmex-cs.json
//   is a starting point, not the truth.
// - Values are right-aligned with spaces: trimmed. R-7 `>`/`<` (outside the reportable range) are
//   kept as instrument flags beside the abnormal flag.
// - D-dimer: FEU or DDU is not on the wire. The table gives `ug/mL{FEU}` or `ng/mL{DDU}` and the
//   matching LOINC (48065-7 FEU, 48066-5 DDU); the annotated unit then replaces the bare one.
// - C records `CAL^<param>^^<n>^` and `LOT^<group>^<reagent>^<lot>` are calibration and reagent
//   traceability, kept with the result set; other C records are comments.
#include <fmt/format.h>

#include "drivers/common/astm_fields.hpp"
#include "drivers/common/astm_record_walk.hpp"
#include "drivers/common/observations.hpp"
#include "drivers/common/sysmex_order.hpp"
#include "drivers/common/values.hpp"
#include "drivers/driver.hpp"
#include "drivers/errc.hpp"
#include "drivers/registry.hpp"

namespace hemalink::drivers {
namespace {

constexpr std::string_view kName = "sysmex-cs";

class SysmexCs final : public MappingDriver, private SysmexRecordHooks {
 public:
  explicit SysmexCs(DriverSettings settings) : MappingDriver(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  model::WireProtocol input() const override { return model::WireProtocol::Astm; }

  Result<Translation> translate(const astm::Lis2Message& message) const override {
    return walk_records(message, settings_.charset, kName, *this);
  }

 private:
  // AstmRecordHooks (patient and order: SysmexRecordHooks)
  // R-3 component 4 is the parameter code, 5 its name, 6 the dilution.
  Result<model::Observation*> result(AstmWalk& walk, const astm::Lis2Record& record,
                                     model::ResultSet& set) const override {
    const auto& fields = walk.fields;
    auto code = fields.component(record, 2, 4);
    if (code.empty()) {
      return fields.error(record, 2, "no parameter code in component 4 of the universal test ID");
    }
    const auto value = parse_value(fields.text(record, 3));
    model::Observation& o = set.observations.emplace_back();
    o.raw_code = std::move(code);
    o.value = value.text;
    o.numeric = value.numeric;
    o.comparator = value.comparator;
    o.dilution = fields.component(record, 2, 6);
    o.raw_units = fields.text(record, 4);
    o.reference_range = fields.component(record, 5, 1);
    apply_abnormal_flags(o, fields.repeats(record, 6));
    o.measured_at = fields.text(record, 12);
    if (o.value.empty()) {
      o.status = model::ResultStatus::CannotReport;
    }
    const auto name = fields.component(record, 2, 5);
    if (!name.empty()) {
      o.comments.push_back(fmt::format("parameter: {}", name));
    }
    apply_mapping(o, settings_.mappings.find(o.raw_code), walk.out.warnings);
    return &o;
  }

  // C-4 of a CS: calibration and reagent-lot records are traceability, not comments; nothing
  // before the first order is kept.
  void comment(AstmWalk& walk, const astm::Lis2Record& record) const override {
    read_comment(walk.fields, record, walk.current, walk.last);
  }

  static void read_comment(const AstmFields& fields, const astm::Lis2Record& record,
                           model::ResultSet* set, model::Observation* last) {
    auto text = fields.text(record, 3);
    if (text.empty() || set == nullptr) {
      return;
    }
    const auto kind = fields.component(record, 3, 1);
    if (kind == "CAL") {
      set->traceability.push_back({"calibration", std::move(text)});
    } else if (kind == "LOT") {
      set->traceability.push_back({"reagent_lot", std::move(text)});
    } else if (last != nullptr) {
      last->comments.push_back(std::move(text));
    } else {
      set->comments.push_back(std::move(text));
    }
  }

  const QueryLayout* query_layout() const override {
    static const QueryLayout layout{.specimen_component = 3,
                                    .test_code_component = 4,
                                    .no_order_as_report_type_y = true,
                                    .patient_id_in_p5 = true,
                                    .echoes_query_specimen = true};
    return &layout;
  }
};

}  // namespace

std::unique_ptr<Driver> make_sysmex_cs(DriverSettings settings) {
  return std::make_unique<SysmexCs>(std::move(settings));
}

}  // namespace hemalink::drivers
