#pragma once

#include <filesystem>
#include <string>

namespace hemalink::testing {

/// tests/fixtures/orders: the order conformance fixtures (a message and the JSON of what must be
/// read from it and answered), and their LIS mapping table.
std::filesystem::path order_fixtures_dir();

/// A fixture as a LIS sends it: its lines (one segment or record each) ended with CR, as HL7 and
/// ASTM want. The fixtures keep one per line to be read and reviewed.
std::string fixture_as_sent(const std::filesystem::path& file);

}  // namespace hemalink::testing
