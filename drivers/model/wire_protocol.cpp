#include "drivers/model/wire_protocol.hpp"

namespace hemalink::model {

const char* to_string(WireProtocol protocol) {
  switch (protocol) {
    case WireProtocol::Astm:
      return "astm";
    case WireProtocol::Hl7:
      return "hl7";
    case WireProtocol::Export:
      return "export";
  }
  return "astm";
}

}  // namespace hemalink::model
