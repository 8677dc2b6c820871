#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/model/wire_protocol.hpp"
#include "protocols/astm/e1381_link.hpp"
#include "protocols/hl7/mllp.hpp"

namespace hemalink::simulate {

/// How the host answered one message.
enum class Answer {
  Acknowledged,  ///< E1381: final frame ACKed. HL7: AA/CA.
  Rejected,      ///< HL7: AE/CE (the host kept the message as rejected).
  Written,       ///< Bare ASTM, an HL7 ACK/ORL, or HL7 asking for no answer: written, not answered.
  Unacknowledged,  ///< Retries exhausted, NAKed to the end, or the host refused (AR/CR).
};

const char* to_string(Answer answer);

/// Whether the host is to write nothing back for `hl7_message` when it takes it: an
/// acknowledgement (ACK, ORL: acknowledgements are not acknowledged), or a message in enhanced
/// mode whose MSH-15 and MSH-16 ask for no acknowledgement on success (NE, ER). Such a message
/// counts as Written once sent; an error answer that comes later is counted as unexpected.
bool expects_no_answer(std::string_view hl7_message);

struct AnalyzerSettings {
  model::WireProtocol protocol = model::WireProtocol::Astm;
  astm::LinkMode link = astm::LinkMode::E1381;
  /// Corrupt the checksum of every Nth frame's first transmission (0: never), to make the host
  /// NAK and the link send the frame again.
  std::size_t corrupt_every = 0;
  /// HL7: how long to wait for an ACK before sending again, and how many sends in all.
  std::chrono::milliseconds ack_timeout{30000};
  int max_sends = 3;
  /// ASTM: a host query (Q records) counts as answered when the host's reply arrives, not when
  /// its last frame is acknowledged; the next message waits for it, as an analyzer does. (HL7:
  /// the RSP^K11 is the query's acknowledgement.)
  bool waits_for_query_reply = true;
  /// HL7: the wait before sending again after AR/CR.
  std::chrono::milliseconds refused_retry{1000};
};

struct AnalyzerCounts {
  std::uint64_t frames_sent_again = 0;  ///< E1381 frames NAKed (or unanswered) and sent again.
  std::uint64_t corrupted = 0;          ///< Frames we damaged on purpose.
  std::uint64_t resends = 0;            ///< HL7 messages sent again (AR/CR or no ACK).
  std::uint64_t host_messages = 0;      ///< Messages the host sent us (query replies).
  std::uint64_t unexpected = 0;         ///< Acknowledgements that matched no message.
};

/// The analyzer's side of one connection, without I/O: sends one message at a time as an
/// analyzer does (E1381 with retransmission, bare ASTM records, or MLLP-framed HL7 waiting for
/// its ACK and checking MSA-2 against MSH-10), and reports how the host answered each.
class SimulatedAnalyzer final : private astm::LinkSink, private hl7::MllpSink {
 public:
  class Io {
   public:
    virtual ~Io() = default;
    virtual void write(std::string_view bytes) = 0;
    virtual void arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) = 0;
    virtual void cancel_timer(astm::LinkTimer timer) = 0;
    /// The last byte of the message was handed to the connection.
    virtual void on_last_byte(std::size_t message) = 0;
    virtual void on_answer(std::size_t message, Answer answer, std::string_view detail) = 0;
    /// A message the host sent of its own (a query reply, a download, a LAB-28 work order).
    virtual void on_host_message(std::string_view message) { (void)message; }
  };

  SimulatedAnalyzer(AnalyzerSettings settings, Io& io);

  /// Sends message `index` (LIS02-A2 records or an HL7 message). One at a time: the next only
  /// after on_answer.
  void send(std::size_t index, std::string message);
  void feed(ByteView bytes);
  void on_timeout(astm::LinkTimer timer);
  /// True when nothing is being sent or received.
  bool is_idle() const;

  /// What the host sent (query replies), records as received, the first 1,000.
  const std::vector<std::string>& host_replies() const { return host_replies_; }
  const AnalyzerCounts& counts() const { return counts_; }

 private:
  // astm::LinkSink
  void on_write(std::string_view bytes) override;
  void on_arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) override;
  void on_cancel_timer(astm::LinkTimer timer) override;
  void on_message(std::string_view records, astm::MessageEnd end,
                  std::size_t stream_offset) override;
  void on_error(const ParseError& error, std::string_view raw) override;
  void on_notice(astm::LinkNotice notice, std::size_t byte_offset) override;
  void on_sent(std::uint64_t message_id, std::error_code result) override;
  // hl7::MllpSink
  void on_message(std::string_view payload, std::size_t stream_offset) override;

  void send_hl7();
  void answer(Answer a, std::string_view detail);

  AnalyzerSettings settings_;
  Io& io_;
  astm::E1381Link link_;
  hl7::MllpFramer framer_;
  std::optional<std::size_t> current_;
  std::string hl7_message_;
  std::string control_id_;
  int sends_ = 0;
  bool is_waiting_to_resend_ = false;
  bool is_query_ = false;
  bool is_awaiting_reply_ = false;
  std::size_t frames_ = 0;
  std::string last_frame_;  // a retransmission repeats it
  AnalyzerCounts counts_;
  std::vector<std::string> host_replies_;
};

/// LIS02-A2 records as an analyzer sends them: each record ended by CR (captures saved as text
/// end them with LF or CR LF).
std::string with_cr_records(std::string_view records);

}  // namespace hemalink::simulate
