#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "drivers/model/wire_protocol.hpp"

namespace hemalink::simulate {

/// The host query an analyzer sends for the specimen of results `message` before it runs it:
/// ASTM, a Q record with the O record's sample field (O-4, Sysmex `rack^tube^sample^attribute`;
/// else `^` and O-3); HL7, an IHE LAW LAB-27 QBP^Q11 for SPM-2 (else OBR-3). `n` makes its
/// control ID unique. Empty when the message names no specimen.
std::string query_for(std::string_view message, model::WireProtocol protocol, std::size_t n);

}  // namespace hemalink::simulate
