#include "drivers/common/hl7_reply_header.hpp"

#include "drivers/model/compact_time.hpp"

namespace hemalink::drivers {

hl7::AckHeader reply_header(const model::MessageId& id, std::chrono::system_clock::time_point now) {
  hl7::AckHeader header;
  std::string hex = id.to_string();
  std::erase(hex, '-');
  header.control_id = hex.substr(0, 20);
  header.timestamp = model::compact_utc(now);
  header.timestamp.append("+0000");
  return header;
}

}  // namespace hemalink::drivers
