#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <system_error>

#include "protocols/astm/errc.hpp"
#include "protocols/astm/message_assembler.hpp"
#include "protocols/common/bytes.hpp"

namespace hemalink::astm {

using std::chrono::milliseconds;

/// How records travel on the connection.
enum class LinkMode {
  E1381,  ///< CLSI LIS01-A2 / ASTM E1381: ENQ, checksummed frames, ACK/NAK, EOT.
  Bare,   ///< LIS02-A2 records written straight onto the byte stream, no link layer at all.
};

/// The two timers a link asks its session to run. Each is armed (re-armed) and cancelled by the
/// link through LinkSink; the session calls E1381Link::on_timeout when one expires.
enum class LinkTimer {
  Phase,        ///< The timer of the current phase: ENQ reply, frame reply or receive timer.
  SendBackoff,  ///< How long we must wait before our next ENQ (busy, contention, interrupt).
};

/// Things the link tolerated or did that a session logs and counts, but that need no answer.
enum class LinkNotice {
  DuplicateFrame,             ///< A repeat of the last frame (its ACK was lost): ACKed, dropped.
  ByteIgnored,                ///< A byte that means nothing in the current state was skipped.
  Contention,                 ///< Both sides sent ENQ; we yielded to the analyzer (LIS01-A2 8.2.7).
  ReceiverInterrupt,          ///< The analyzer answered our frame with EOT.
  FrameSentAgain,             ///< Our frame was answered NAK (or not at all) and is sent again.
  PeerAbandonedMessage,       ///< The analyzer sent EOT while we held a message's final ACK.
  AcceptedBadChecksum,        ///< accept_bad_checksum let a mismatching frame through.
  AcceptedLfAsCrChecksum,     ///< The checksum matched only with LF read as CR.
  AcceptedUnpaddedChecksum,   ///< A one-digit checksum was accepted.
  AcceptedLowercaseChecksum,  ///< Lower-case hex digits were accepted.
  AcceptedFrameNumber,        ///< An out-of-sequence frame number was accepted.
  AcceptedMissingFrameNumber,
  AcceptedFrameWithoutEnq,  ///< A frame arrived in the neutral state and was taken.
  AcceptedLenientTrailer,   ///< A frame ended with LF or nothing where CR LF belongs.
};

const char* to_string(LinkNotice notice);

/// True for the notices that say a leniency let something through that the standard refuses
/// (the Accepted* notices): counted and logged, never silent.
bool is_leniency(LinkNotice notice);

/// Options of one link. Timer defaults are those of LIS01-A2. Every leniency is off by default
/// but one: lower-case checksum digits are accepted (on since the first codec, as the protocol
/// digest's checksum variants advise), because "c2" is the same sum as "C2" and a corrupted frame
/// still fails it. The others are turned on by an analyzer's configuration (`leniencies`) or, the
/// ones for files, by `hemalink decode`. Every use of one is reported as a LinkNotice.
struct LinkOptions {
  LinkMode mode = LinkMode::E1381;
  Lis2Limits limits;
  /// Frame text beyond this is refused on receive (LIS01-A2 says 240, analyzers send more).
  std::size_t max_frame_text = 64 * 1024;
  /// Frame text we send, record terminator included (LIS01-A2 6.3.1: at most 240).
  std::size_t send_frame_text = 240;
  /// Transmissions of one frame before we give up on a message (LIS01-A2 8.3.4: six).
  int max_frame_transmissions = 6;
  /// ENQ attempts answered NAK or unanswered before we report the message undeliverable.
  int max_enq_attempts = 6;
  std::size_t max_outbound_messages = 64;

  milliseconds establishment_timeout{15000};  ///< ENQ sent, waiting for ACK/NAK.
  milliseconds reply_timeout{15000};          ///< Frame sent, waiting for ACK/NAK.
  milliseconds receive_timeout{30000};        ///< Receiving, waiting for the next frame or EOT.
  milliseconds busy_backoff{10000};           ///< After NAK to our ENQ.
  milliseconds contention_backoff{20000};     ///< After yielding on contention.
  milliseconds interrupt_backoff{15000};      ///< After honouring a receiver interrupt.

  /// Hold the ACK of a frame that completes a message until acknowledge_message(): the analyzer
  /// is acknowledged only for what is durable.
  bool defer_message_ack = false;
  /// Stop sending when the receiver answers a frame with EOT (LIS01-A2 8.3.5); otherwise the EOT
  /// counts as an ACK.
  bool honour_receiver_interrupt = true;

  /// Lower-case hex checksum digits. The standard says upper case; the value is the same, so on
  /// by default (and not configurable per analyzer).
  bool accept_lowercase_checksum = true;
  /// ACK frames whose checksum mismatches (the per-instrument "lenient checksum" mode for
  /// senders with a checksum bug). Risk: a corrupted frame goes unnoticed; every use is reported.
  bool accept_bad_checksum = false;
  /// One-digit checksums (a CS-2500 emulator drops the leading zero). Risk: low.
  bool accept_unpadded_checksum = false;
  /// Compute the checksum with LF read as CR: captures saved as text replaced the record
  /// terminators (cobas e411, Erba EM200 files). For decoding files, not for live links.
  bool accept_lf_as_cr_in_checksum = false;
  /// Frames ending "checksum LF" instead of CR LF, or at the end of the stream with no trailer
  /// (Horiba and cobas captures saved as text). Risk: none for framing, the checksum still holds.
  bool accept_lenient_frame_trailer = false;
  /// Frame numbers out of sequence (a Horiba Yumizen capture). Risk: a lost or repeated frame
  /// goes unnoticed. For decoding files.
  bool accept_any_frame_number = false;
  /// Frames without a frame number digit. Risk: the first character of text is read as text.
  bool accept_missing_frame_number = false;
  /// Frames with no ENQ before them (captures that kept only the frames). For decoding files.
  bool accept_frames_without_enq = false;
  /// Skip lines starting with '#' between messages (publisher comments in capture files).
  bool skip_hash_comment_lines = false;
};

/// What a link asks of its session, and what it reports.
class LinkSink {
 public:
  virtual ~LinkSink() = default;
  /// Bytes to write to the analyzer, in order. Valid only during the call.
  virtual void on_write(std::string_view bytes) = 0;
  /// Arm (or re-arm) `timer` to expire after `after`.
  virtual void on_arm_timer(LinkTimer timer, milliseconds after) = 0;
  virtual void on_cancel_timer(LinkTimer timer) = 0;
  /// A received message (see MessageSink::on_message). With defer_message_ack, each terminated
  /// message must be answered by acknowledge_message() or refuse_message().
  virtual void on_message(std::string_view records, MessageEnd end, std::size_t stream_offset) = 0;
  /// Received text that could not be part of a message, or a frame the link NAKed.
  virtual void on_error(const ParseError& error, std::string_view raw) = 0;
  virtual void on_notice(LinkNotice notice, std::size_t byte_offset) = 0;
  /// The outcome of a message queued with send(): empty error code when the analyzer ACKed its
  /// last frame.
  virtual void on_sent(std::uint64_t message_id, std::error_code result) = 0;
};

/// The ASTM E1381 / CLSI LIS01-A2 data-link layer for the computer-system side of one
/// connection, as a sans-I/O state machine: fed bytes, it writes replies, asks for timers and
/// reports messages through a LinkSink. It receives (ENQ, frames with checksums and frame
/// numbers, ETB/ETX reassembly, duplicate frames, EOT) and sends (ENQ, contention, frames of at
/// most send_frame_text characters, retransmission, receiver interrupt, EOT). In LinkMode::Bare
/// it only splits records into messages.
class E1381Link final : private MessageSink {
 public:
  E1381Link(LinkOptions options, LinkSink& sink);

  /// Consumes all of `bytes` (state is kept between calls, so any split is fine) and returns
  /// the number consumed. Calls back into the sink before returning.
  std::size_t feed(ByteView bytes);
  /// The connection or file ended: a frame that is complete but for its trailer is taken (when
  /// the trailer leniencies allow), and any partial message is reported as EndOfStream.
  void finish();
  /// A timer armed through the sink expired.
  void on_timeout(LinkTimer timer);

  /// Queues a message (records, each terminated by CR) to send to the analyzer. Returns its id,
  /// or 0 when the outbound queue is full. The outcome comes through LinkSink::on_sent.
  std::uint64_t send(std::string records);
  /// Answers a terminated message reported under defer_message_ack: it is durable, ACK it.
  void acknowledge_message();
  /// Answers a terminated message reported under defer_message_ack: it could not be kept. No ACK
  /// is sent, so the analyzer times out and sends the message again later.
  void refuse_message();
  /// While busy, an ENQ is answered with NAK (the analyzer retries after its busy delay).
  void set_busy(bool busy) { is_busy_ = busy; }

  bool is_idle() const { return state_ == State::Idle; }
  std::size_t outbound_queued() const { return outbound_.size(); }

 private:
  enum class State {
    Idle,
    RxBetweenFrames,
    RxFrame,
    RxChecksum,
    RxTrailer,
    RxAwaitCommit,
    RxRefused,
    TxAwaitEnqReply,
    TxAwaitFrameReply,
  };
  struct Outgoing {
    std::uint64_t id;
    std::string records;
    std::size_t next_offset = 0;  // where the next frame's text starts
  };

  // MessageSink
  void on_message(std::string_view records, MessageEnd end, std::size_t stream_offset) override;
  void on_discarded(const ParseError& why, std::string_view raw) override;

  void feed_byte(char c);
  void on_idle_byte(char c);
  void on_between_frames_byte(char c);
  void on_checksum_byte(char c);
  void on_trailer_byte(char c);
  void start_receiving(bool acknowledge_enq);
  void complete_frame();
  bool check_checksum();
  void refuse_frame(Errc code, std::string_view why);
  void reply(char control);
  void end_receiving(MessageEnd why);

  void on_enq_reply(char c);
  void on_frame_reply(char c);
  void start_establishment();
  void send_next_frame();
  void abort_transfer(std::error_code result);
  void schedule_backoff(milliseconds after);
  void to_idle();

  LinkOptions options_;
  LinkSink& sink_;
  MessageAssembler assembler_;
  State state_ = State::Idle;
  std::size_t offset_ = 0;  // bytes fed so far: position of the current byte
  bool is_busy_ = false;

  // Receiving.
  std::string frame_;  // FN, text, ETB/ETX of the frame being received
  std::size_t frame_start_ = 0;
  char checksum_[2] = {0, 0};
  int checksum_chars_ = 0;
  bool is_frame_too_long_ = false;
  bool skip_lf_ = false;
  int expected_fn_ = 1;
  int last_fn_ = -1;
  std::string last_frame_;         // a retransmission repeats it byte for byte
  std::size_t held_messages_ = 0;  // terminated messages awaiting acknowledge/refuse

  // Sending.
  std::deque<Outgoing> outbound_;
  std::uint64_t next_id_ = 1;
  std::string frame_out_;
  std::size_t pending_end_ = 0;  // end of the text of the frame awaiting its reply
  int send_fn_ = 1;
  int transmissions_ = 0;
  int enq_attempts_ = 0;
  bool is_backoff_running_ = false;
};

/// The LIS01-A2 checksum: the sum of the bytes from the frame number through ETB/ETX, modulo 256.
std::uint8_t frame_checksum(std::string_view fn_text_terminator);

/// Appends one frame: STX, `frame_number` (0-7), `text`, ETX when `is_final` else ETB, the
/// checksum as two upper-case hex digits, CR LF.
void encode_frame(int frame_number, std::string_view text, bool is_final, std::string& out);

}  // namespace hemalink::astm
