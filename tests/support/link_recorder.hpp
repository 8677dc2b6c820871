#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/astm/e1381_link.hpp"

namespace hemalink::testing {

/// Spells control bytes readably: "<ENQ>", "<STX>1H|...<CR><ETX>C2<CR><LF>".
std::string visible(std::string_view bytes);

/// A LinkSink that records every call as one line of an event log, so tests compare logs.
class LinkRecorder : public astm::LinkSink {
 public:
  void on_write(std::string_view bytes) override;
  void on_arm_timer(astm::LinkTimer timer, astm::milliseconds after) override;
  void on_cancel_timer(astm::LinkTimer timer) override;
  void on_message(std::string_view records, astm::MessageEnd end, std::size_t offset) override;
  void on_error(const ParseError& error, std::string_view raw) override;
  void on_notice(astm::LinkNotice notice, std::size_t offset) override;
  void on_sent(std::uint64_t id, std::error_code result) override;

  /// Everything written to the analyzer since the last call, made visible.
  std::string take_written();
  /// The log without timer lines (for split-feeding, where timers re-arm per byte read).
  std::string log_without_timers() const;

  std::vector<std::string> log;
  std::vector<std::string> messages;
  std::vector<astm::MessageEnd> message_ends;
  std::vector<std::error_code> errors;
  std::vector<astm::LinkNotice> notices;
  std::vector<std::pair<std::uint64_t, std::error_code>> sent;
  std::string written;
  std::string armed;  ///< The last timer armed, as "Phase 30000ms".
};

/// A frame as an analyzer sends it: STX FN text ETX|ETB checksum CR LF.
std::string frame(int number, std::string_view text, bool is_final = true);

}  // namespace hemalink::testing
