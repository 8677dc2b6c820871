#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drivers/model/result_set.hpp"

namespace hemalink::model {

/// One specimen an analyzer asked about in a host query, as it named it.
struct QueriedSpecimen {
  std::string specimen_id;  ///< The barcode, trimmed, as the lab knows it.
  std::string echo;         ///< The field as received (rack^tube^sample^attribute), sent back.
};

/// An analyzer's host query (ASTM Q records): the specimens it asks about.
struct HostQuery {
  std::vector<QueriedSpecimen> specimens;
  /// Q-13 `A`: the analyzer cancels its last request; it is sent no work.
  bool is_cancel = false;
};

/// The work for one queried specimen, in the analyzer's own codes. No codes: nothing is
/// pending for it (no order, or every test resulted or cancelled).
struct WorkOrder {
  QueriedSpecimen specimen;
  std::optional<Patient> patient;
  Priority priority = Priority::Unknown;
  std::string collected_at;
  std::string specimen_type;         ///< O-16 / SPM-4 code (SER, WB, ...), when the order says
  std::string specimen_type_text;    ///< SPM-4.2 (Serum), when the order says.
  std::string specimen_type_system;  ///< SPM-4.3 (HL70487), when the order says.
  std::string specimen_source;       ///< O-16 component 2, SPM-8 (the source site).
  std::vector<std::string> codes;
  /// What each of `codes` stands for in the lab's canonical codes (`PT_SEC+INR` for a test group
  /// that orders both), for the text of LAB-28's OBR-4; parallel to `codes` when filled.
  std::vector<std::string> code_texts;
  /// The LIS's notes on the orders (a blood bank's donor unit), one per line: ASTM C records
  /// after the O record, LAB-28 NTE after each OBR.
  std::string comment;
};

}  // namespace hemalink::model
