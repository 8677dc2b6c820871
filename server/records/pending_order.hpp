#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "drivers/model/lab_order.hpp"
#include "drivers/model/message_id.hpp"
#include "drivers/model/wire_protocol.hpp"

namespace hemalink::records {

/// A test still to run on a specimen.
struct PendingTest {
  long long id = 0;
  std::string code;
  std::string status;     ///< ordered, sent or acknowledged.
  bool is_mapped = true;  ///< False: `code` is the LIS's, which no result or analyzer has.
};

/// An order with the tests it still waits for.
struct PendingOrder {
  long long id = 0;
  std::string source;
  std::string placer_number;
  std::string filler_number;
  std::string specimen_id;
  model::Patient patient;
  std::string location;
  model::Priority priority = model::Priority::Unknown;
  std::string collected_at;
  std::string specimen_type;         ///< SPM-4.1 / ASTM O-16.1 as the LIS sent it.
  std::string specimen_type_text;    ///< SPM-4.2.
  std::string specimen_type_system;  ///< SPM-4.3.
  std::string specimen_source;
  std::string comment;  ///< The LIS's notes on the order.
  std::vector<PendingTest> tests;
};

/// What the rules asked of one specimen's results: tests to run again and tests to add.
struct OrderSteps {
  std::string specimen_id;
  std::vector<std::string> reruns;    ///< Canonical codes to run again.
  std::vector<std::string> reflexes;  ///< Canonical codes to add to the specimen's latest order.
  std::string actor;                  ///< rules:<version>, user:<name>.
  std::string reason;
};

/// What became of order tests at an analyzer.
enum class TestStep {
  Sent,          ///< Sent to it (a query answer or a download).
  Acknowledged,  ///< It took them (the message's last frame ACKed; ORL^O34 AA).
};

/// Order tests one analyzer was sent, or took.
struct TestMarks {
  std::string analyzer;
  std::vector<long long> ids;
  TestStep step = TestStep::Sent;
};

}  // namespace hemalink::records
