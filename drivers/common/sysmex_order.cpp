#include "drivers/common/sysmex_order.hpp"

namespace hemalink::drivers {

Result<void> read_sysmex_order(const AstmFields& fields, const astm::Lis2Record& record,
                               model::ResultSet& set) {
  // Indices are 0-based: field(3) is O-4 of LIS02-A2.
  set.rack = fields.component(record, 3, 1);
  set.tube_position = fields.component(record, 3, 2);
  set.sample_number = fields.component(record, 3, 3);
  set.specimen_id = set.sample_number;
  if (set.specimen_id.empty()) {
    set.specimen_id = fields.component(record, 2, 1);
  }
  if (set.specimen_id.empty()) {
    return fields.error(record, 3, "no sample number in O-4 (rack^tube^sample no) or O-3");
  }
  const auto action = fields.text(record, 11);
  set.kind = action == "Q" ? model::SpecimenKind::QualityControl : model::SpecimenKind::Patient;
  set.is_rerun = action == "A";
  set.priority = model::priority_from_code(fields.text(record, 5));  // O-6
  return {};
}

model::Patient SysmexRecordHooks::patient(const AstmFields& fields,
                                          const astm::Lis2Record& record) const {
  return patient_from(fields, record, {4, 2, 3});
}

Result<model::ResultSet*> SysmexRecordHooks::order(AstmWalk& walk,
                                                   const astm::Lis2Record& record) const {
  auto& set = walk.out.result_sets.emplace_back();
  if (auto read = read_sysmex_order(walk.fields, record, set); !read) {
    return read.error();
  }
  return &set;
}

}  // namespace hemalink::drivers
