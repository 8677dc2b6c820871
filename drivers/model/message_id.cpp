#include "drivers/model/message_id.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "protocols/common/hex.hpp"

namespace hemalink::model {
namespace {

std::uint64_t random_word() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return engine();
}

bool is_dash_position(std::size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

}  // namespace

MessageId MessageId::generate() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto millis = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) {
    b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(millis >> (8 * (5 - i)));
  }
  const std::uint64_t r1 = random_word();
  const std::uint64_t r2 = random_word();
  for (std::size_t i = 6; i < 8; ++i) {
    b[i] = static_cast<std::uint8_t>(r1 >> (8 * (i - 6)));
  }
  for (std::size_t i = 8; i < 16; ++i) {
    b[i] = static_cast<std::uint8_t>(r2 >> (8 * (i - 8)));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x70);  // version 7
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 9562 variant
  return MessageId(b);
}

std::optional<MessageId> MessageId::parse(std::string_view text) {
  if (text.size() != 36) {
    return std::nullopt;
  }
  std::string digits;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_dash_position(i) != (text[i] == '-')) {
      return std::nullopt;
    }
    if (!is_dash_position(i)) {
      digits.push_back(text[i]);
    }
  }
  const auto bytes = hex_decode(digits);
  if (!bytes) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> b{};
  std::copy(bytes->begin(), bytes->end(), b.begin());
  return MessageId(b);
}

std::string MessageId::to_string() const {
  auto s = hex_encode(bytes_, HexCase::Lower);
  for (std::size_t i = 0; i < 36; ++i) {
    if (is_dash_position(i)) {
      s.insert(i, 1, '-');
    }
  }
  return s;
}

bool MessageId::is_nil() const {
  for (auto byte : bytes_) {
    if (byte != 0)
      return false;
  }
  return true;
}

}  // namespace hemalink::model
