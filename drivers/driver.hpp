#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drivers/common/host_query.hpp"
#include "drivers/mapping.hpp"
#include "drivers/model/result_set.hpp"
#include "drivers/model/wire_protocol.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/result.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::drivers {

/// The result sets of one message, and what the driver noticed but could still translate
/// (unmapped codes, unknown units), for the logs and the review queue.
struct Translation {
  std::vector<model::ResultSet> result_sets;
  std::vector<std::string> warnings;
};

/// Where generic-astm finds the specimen ID and the test code, in LIS02-A2 numbering (O-3 is
/// field 3). Sysmex puts the sample in O-4 component 3 and the code in R-3 component 5; most
/// others use O-3 component 1 and R-3 component 4.
struct AstmLayout {
  std::size_t specimen_field = 3;
  std::size_t specimen_component = 1;
  std::size_t test_code_component = 4;
};

/// What a driver is built with: the analyzer's mapping table (the shipped base its configuration
/// names with its mappings file over it), the character set of its text and, for generic-astm, the
/// field layout.
struct DriverSettings {
  MappingTable mappings;
  Charset charset = Charset::Latin1;
  AstmLayout astm_layout;
};

/// A translator from one instrument family's decoded messages to the canonical model. A driver
/// is not a session: it keeps no state between messages, does no I/O, and is safe to call from
/// several threads at once. Failures are values: ParseError with a driver Errc naming the
/// record or segment and the field.
class Driver {
 public:
  virtual ~Driver() = default;

  virtual std::string_view name() const = 0;
  /// What the driver reads: LIS02-A2 records, HL7 v2, or export files.
  virtual model::WireProtocol input() const = 0;

  /// Translates one LIS02-A2 message. The default refuses with Errc::WrongInput.
  virtual Result<Translation> translate(const astm::Lis2Message& message) const;
  /// Translates one HL7 v2 message. The default refuses with Errc::WrongInput.
  virtual Result<Translation> translate(const hl7::V2Message& message) const;
  /// Translates one export file (tab-delimited). The default refuses with Errc::WrongInput.
  virtual Result<Translation> translate_export(std::string_view content) const;

  /// How the analyzer asks for its work and wants it answered (ASTM host query); nullptr when
  /// the driver's analyzers do not ask.
  virtual const QueryLayout* query_layout() const { return nullptr; }
  /// The analyzer's code to order canonical test `canonical` by (see MappingTable::order_code);
  /// nullopt when its mapping table has none. The default knows none.
  virtual std::optional<std::string> order_code(std::string_view canonical) const;
  /// Every canonical test order_code() knows: what the analyzer can be sent.
  virtual std::vector<std::string> orderable_codes() const { return {}; }
};

/// A driver whose analyzer is ordered tests by the codes of its mapping table (every driver but
/// those of analyzers that take no orders).
class MappingDriver : public Driver {
 public:
  std::optional<std::string> order_code(std::string_view canonical) const override {
    return settings_.mappings.order_code(canonical);
  }
  std::vector<std::string> orderable_codes() const override {
    return settings_.mappings.orderable_codes();
  }

 protected:
  explicit MappingDriver(DriverSettings settings) : settings_(std::move(settings)) {}

  DriverSettings settings_;
};

/// The registered drivers' names, in registry order.
const std::vector<std::string_view>& driver_names();

/// A driver by registry name, or nullptr when there is none of that name.
std::unique_ptr<Driver> make_driver(std::string_view name, DriverSettings settings);

}  // namespace hemalink::drivers
