#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/wire_protocol.hpp"

namespace hemalink::simulate {

/// What an analyzer in download mode runs for work the host sent it: per specimen ordered, one
/// result message with exactly the tests ordered. ASTM: each O record with work (O-26 O or Q,
/// not Y) gives H, P, O (O-4 the host's O-3 with the B of a barcode read, as Sysmex reports it;
/// O-3 the specimen ID), and an R record per O-5 test (a Sysmex CS test group, 040, gives its
/// parameters 041-043); HL7, an OML^O33 (LAB-28) gives an ORU^R01 with an OBX per OBR-4. `n`
/// makes control IDs unique. Empty when the message carries no work.
std::vector<std::string> results_for_work(std::string_view host_message,
                                          model::WireProtocol protocol, std::size_t n);

}  // namespace hemalink::simulate
