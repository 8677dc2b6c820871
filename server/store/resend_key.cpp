#include "server/store/resend_key.hpp"

#include <openssl/sha.h>

namespace hemalink::store {

std::string without_send_time(std::string_view raw) {
  if (raw.size() < 4 || !raw.starts_with("MSH")) {
    return std::string(raw);
  }
  const char separator = raw[3];
  const auto segment_end = std::min(raw.find_first_of("\r\n"), raw.size());
  // MSH-1 is the separator itself, so MSH-7 is the text after the sixth separator.
  std::size_t start = 3;
  for (int i = 0; i < 6; ++i) {
    start = raw.find(separator, start + (i == 0 ? 0 : 1));
    if (start == std::string_view::npos || start >= segment_end) {
      return std::string(raw);
    }
  }
  const auto stop = std::min(raw.find(separator, start + 1), segment_end);
  std::string out(raw.substr(0, start + 1));
  out.append(raw.substr(stop));
  return out;
}

std::string resend_key(model::WireProtocol protocol, std::string_view raw) {
  const std::string compared =
      protocol == model::WireProtocol::Hl7 ? without_send_time(raw) : std::string(raw);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(compared.data()), compared.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace hemalink::store
