#pragma once

#include "drivers/common/astm_fields.hpp"
#include "drivers/common/astm_record_walk.hpp"
#include "drivers/model/result_set.hpp"
#include "protocols/common/result.hpp"

namespace hemalink::drivers {

/// The O record as Sysmex XN and CS analyzers write it (XN/CS ASTM host interface
/// specifications): O-4 is rack^tube^sample number, the sample number is the specimen ID (O-3
/// when O-4 has none), O-12 action code Q marks a control, A a rerun. Fails, naming O-4, when
/// neither field holds a specimen ID.
Result<void> read_sysmex_order(const AstmFields& fields, const astm::Lis2Record& record,
                               model::ResultSet& set);

/// The P and O hooks of the Sysmex XN and CS drivers: the patient ID from P-5 (else P-3, P-4),
/// and one new result set per O record, read by read_sysmex_order().
class SysmexRecordHooks : public AstmRecordHooks {
 public:
  model::Patient patient(const AstmFields& fields, const astm::Lis2Record& record) const override;
  Result<model::ResultSet*> order(AstmWalk& walk, const astm::Lis2Record& record) const override;
};

}  // namespace hemalink::drivers
