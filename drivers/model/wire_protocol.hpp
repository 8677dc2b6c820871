#pragma once

namespace hemalink::model {

/// How a message reached hemalink: ASTM (E1381 or bare records), HL7 v2 (MLLP), or an export
/// file from a file-drop folder.
enum class WireProtocol { Astm, Hl7, Export };

const char* to_string(WireProtocol protocol);

}  // namespace hemalink::model
