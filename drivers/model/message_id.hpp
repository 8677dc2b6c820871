#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hemalink::model {

/// The identity a message gets the moment its last byte arrives: a UUID version 7 (48 bits of
/// Unix milliseconds, then random bits), so IDs sort by arrival and index well. Storing the
/// same ID twice stores the message once; the spool keeps it so a replay is recognised.
class MessageId {
 public:
  MessageId() = default;
  explicit MessageId(const std::array<std::uint8_t, 16>& bytes) : bytes_(bytes) {}

  /// A new ID for a message received now.
  static MessageId generate();
  /// Parses the canonical 8-4-4-4-12 hex form; nullopt when it is not one.
  static std::optional<MessageId> parse(std::string_view text);

  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::string to_string() const;
  bool is_nil() const;

  friend bool operator==(const MessageId&, const MessageId&) = default;
  friend auto operator<=>(const MessageId&, const MessageId&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace hemalink::model
