// Sysmex XN series (XN-L 330/350/430/450/530/550, XN-10/20/1000/2000/3000/9000) hematology
// analyzers: CBC, DIFF, RET, PLT-F, body fluids, over ASTM (E1381 over RS-232 or TCP).
// Written against the XN-Series ASTM Host Interface Specifications (rev. 10 and 18, public
// copies cited in ../shared/docs/protocols.md §4.1) and the captures in ../shared/corpus.
//
// Quirks handled:
// - The sample number is in O-4 (`rack^tube^sample no^attribute`), right-justified and padded
//   with spaces to 22 characters: trimmed. O-3 is used only when O-4 is empty.
// - The test code is component 5 of R-3 (`^^^^WBC^1`); component 6 is a dilution/mode marker,
//   not the code and not reported as a dilution. Component 4 is read when 5 is empty.
// - `----` values: analysis error, no number; status cannot_report.
// - R-7 flags (L, H, LL, HH, >, A, W): abnormal flag plus the rest as instrument flags.
// - R-9 is Sysmex's rerun/reflex judgement (I repeat, P rerun/reflex, N host query), not a
//   result status.
// - O-12 `Q` is a QC sample, `A` a rerun/reflex.
// - IP messages arrive as R records named after the message: suspect messages end in `?` and
//   carry a Q-flag score; abnormal and judgement messages (`Eosinophilia`, `Positive_Diff`) have
//   no value and R-7 `A`. They become specimen flags, positive when R-7 is `A`. The mapping
//   table can declare any code a flag (`"role": "flag"`) for firmware with other names.
// - Scattergrams and histograms (`SCAT_*`, `DIST_*`, values `PNG&R&<date>&R&<file>`) are kept as
//   attachments, never results.
// - The analyzer name in H-5 is left-padded with spaces: trimmed.

#include <algorithm>

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

constexpr std::string_view kName = "sysmex-xn";

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

bool is_file_reference(std::string_view value) {
  return value.starts_with("PNG") || value.starts_with("BMP") || value.starts_with("JPG");
}

CodeRole role_of(std::string_view code, const CodeMapping* mapping, const std::string& value,
                 const std::vector<std::string>& flags) {
  if (mapping != nullptr) {
    return mapping->role;
  }
  if (code.starts_with("SCAT_") || code.starts_with("DIST_") || is_file_reference(value)) {
    return CodeRole::Attachment;
  }
  const bool is_positive = has_flag(flags, "A");
  if (code.ends_with("?") || (value.empty() && is_positive)) {
    return CodeRole::Flag;
  }
  return CodeRole::Result;
}

std::string judgement(std::string_view r9) {
  if (r9 == "I") {
    return "repeat";
  }
  if (r9 == "P") {
    return "rerun_or_reflex";
  }
  if (r9 == "N") {
    return "host_query";
  }
  return {};
}

class SysmexXn final : public MappingDriver, private SysmexRecordHooks {
 public:
  explicit SysmexXn(DriverSettings settings) : MappingDriver(std::move(settings)) {}

  std::string_view name() const override { return kName; }
  model::WireProtocol input() const override { return model::WireProtocol::Astm; }

  Result<Translation> translate(const astm::Lis2Message& message) const override {
    return walk_records(message, settings_.charset, kName, *this);
  }

 private:
  // AstmRecordHooks (patient: SysmexRecordHooks)
  Result<model::ResultSet*> order(AstmWalk& walk, const astm::Lis2Record& record) const override {
    auto set = SysmexRecordHooks::order(walk, record);
    if (set) {
      (*set)->sample_type = walk.fields.component(record, 15, 1);  // O-16 specimen descriptor
    }
    return set;
  }

  // R-3 component 5 (4 on older firmware); IP messages and scattergram files come as R records
  // too, told apart by the mapping table's role.
  Result<model::Observation*> result(AstmWalk& walk, const astm::Lis2Record& record,
                                     model::ResultSet& set) const override {
    const auto& fields = walk.fields;
    std::string code = fields.component(record, 2, 5);
    if (code.empty()) {
      code = fields.component(record, 2, 4);
    }
    if (code.empty()) {
      return fields.error(record, 2, "no test code in component 5 of the universal test ID");
    }
    const auto value = parse_value(fields.text(record, 3));
    const auto flags = fields.repeats(record, 6);
    const CodeMapping* mapping = settings_.mappings.find(code);
    switch (role_of(code, mapping, value.text, flags)) {
      case CodeRole::Attachment:
        set.attachments.push_back({code, value.text});
        return nullptr;
      case CodeRole::Flag:
        set.specimen_flags.push_back({code, value.numeric, has_flag(flags, "A")});
        return nullptr;
      case CodeRole::Result:
        break;
    }
    model::Observation& o = set.observations.emplace_back();
    o.raw_code = code;
    o.value = value.text;
    o.numeric = value.numeric;
    o.comparator = value.comparator;
    o.raw_units = fields.text(record, 4);
    o.reference_range = fields.component(record, 5, 1);
    apply_abnormal_flags(o, flags);
    o.analyzer_judgement = judgement(fields.text(record, 8));
    o.measured_at = fields.text(record, 12);
    if (o.value.find_first_not_of('-') == std::string::npos && !o.value.empty()) {
      o.status = model::ResultStatus::CannotReport;  // "----": analysis error
    }
    apply_mapping(o, mapping, walk.out.warnings);
    return &o;
  }

  const QueryLayout* query_layout() const override {
    static const QueryLayout layout{.specimen_component = 3,
                                    .test_code_component = 5,
                                    .no_order_as_report_type_y = true,
                                    .patient_id_in_p5 = true,
                                    .echoes_query_specimen = true};
    return &layout;
  }
};

}  // namespace

std::unique_ptr<Driver> make_sysmex_xn(DriverSettings settings) {
  return std::make_unique<SysmexXn>(std::move(settings));
}

}  // namespace hemalink::drivers
