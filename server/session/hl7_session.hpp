#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/common/bytes.hpp"
#include "protocols/hl7/mllp.hpp"
#include "protocols/hl7/v2_ack.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/session/session_io.hpp"
#include "server/session/session_peer.hpp"
#include "server/session/work_to_send.hpp"

namespace hemalink::session {

/// Counts for logs and metrics.
struct SessionCounts {
  std::uint64_t messages = 0;
  std::uint64_t accepted = 0;  ///< Answered AA/CA.
  std::uint64_t errors = 0;    ///< Answered AE/CE: stored as rejected.
  std::uint64_t refused = 0;   ///< Answered AR/CR: not stored; the analyzer sends again.
  std::uint64_t framing_errors = 0;
  std::uint64_t work_sent = 0;   ///< Work orders sent (OML^O33 after a query, downloads).
  std::uint64_t work_taken = 0;  ///< Of them, answered AA/CA by the analyzer (ORL^O34 or ACK).
};

/// One HL7 analyzer connection over MLLP, without I/O. Each framed message becomes a receipt
/// handed to the store, which reads it off this thread; its acknowledgement is written only when
/// the store says it is durable: AA when it was accepted or is a duplicate, AE with an ERR segment
/// when it did not parse or translate (it is stored, raw, as rejected), and AR when it could not
/// be stored at all, so the analyzer sends it again. In enhanced mode (MSH-15 or MSH-16 valued,
/// HL7 v2.5.1 chapter 2) the commit acknowledgement (CA, CE; CR always) goes as MSH-15 asks and
/// the application acknowledgement (AA, AE: the sink's own, an order feed's ORL, else an ACK) as
/// its own message with its own MSH-10 as MSH-16 asks. Acknowledgements
/// leave in the order the messages came, even when the store completes them out of order. A
/// LAB-27 query (QBP^Q11) carries no result: it is answered at once, while it is stored for the
/// record, with the io's RSP^K11 and then its LAB-28 work order (OML^O33), which is kept as an
/// outgoing message; the analyzer's own ACK
/// and ORL messages are stored and not answered, and one that accepts (AA/CA) a work order we sent
/// tells the io which order tests it took.
class Hl7Session : private hl7::MllpSink {
 public:
  /// `timings`, when given, learns how long each message took at each stage.
  Hl7Session(SessionPeer peer, SessionIo& io,
             std::shared_ptr<metrics::MessageTimings> timings = nullptr);

  void feed(ByteView bytes);
  /// Sends a work order (LAB-28 OML^O33) of hemalink's own accord (download mode) now, between
  /// acknowledgements; false when the connection is closed.
  bool send_work(session::WorkToSend work);
  /// The connection closed: a message cut short is dropped (it was never acknowledged).
  void finish();

  /// Messages received and not yet acknowledged.
  std::size_t awaiting_acknowledgement() const { return pending_.size(); }
  const SessionCounts& counts() const { return counts_; }

 private:
  struct Pending {
    hl7::AckContext context;
    std::optional<hl7::AckError> framing_error;  ///< Why the framer refused it, when it did.
    bool is_complete = false;  ///< Its answer can go: stored, or a query's reply in hand.
    bool is_stored = false;
    bool is_asking = false;  ///< A query whose reply the io is working out.
    bool has_reply = false;  ///< The io's reply replaces the ACK.
    bool is_flushed = false;
    /// False for bytes outside any frame (no MSH to answer), and for the analyzer's own
    /// acknowledgements (ACK, ORL^O34 of a work order): acknowledgements are not acknowledged.
    bool is_answered = true;
    std::string query;  ///< A QBP^Q11 (IHE LAW LAB-27), kept to be answered once it is stored.
    std::string ack;    ///< Or, for a query, the RSP^K11; empty when none is wanted.
    std::string application_ack;  ///< Enhanced mode: sent after `ack`, when MSH-16 asks.
    std::string follow_up;        ///< The LAB-28 OML^O33 that follows a query's RSP^K11, when any.
    std::vector<long long> follow_up_tests;  ///< The order tests it carries.
    std::string id;
    store::Completion completion;
    metrics::MessageTimes times;
  };

  void on_message(std::string_view payload, std::size_t stream_offset) override;
  void on_error(const ParseError& error, std::string_view raw) override;

  records::Receipt arrived(std::string raw);
  std::shared_ptr<Pending> pending_of(const records::Receipt& receipt);
  void take_in(records::Receipt receipt, std::optional<records::MessageContent> content,
               const std::shared_ptr<Pending>& pending);
  void answer(Pending& pending, const store::Completion& completion);
  void answer_enhanced(Pending& pending, const store::Completion& completion,
                       hl7::AckOutcome outcome, const std::optional<hl7::AckError>& error);
  static std::string own_ack(const hl7::AckContext& context, hl7::AckCode code,
                             const std::optional<hl7::AckError>& error);
  void ask(const std::shared_ptr<Pending>& pending);
  void log(Pending& done);
  void flush();
  void await_acceptance(std::string_view work_order, std::vector<long long> test_ids);
  void notice_acceptance(std::string_view acknowledgement);
  void keep_sent(std::string message);

  SessionPeer peer_;
  SessionIo& io_;
  std::shared_ptr<metrics::MessageTimings> timings_;
  hl7::MllpFramer framer_;
  std::deque<std::shared_ptr<Pending>> pending_;
  SessionCounts counts_;
  /// Work orders sent and not yet accepted, by their MSH-10 (the first 64 kept).
  std::map<std::string, std::vector<long long>, std::less<>> work_in_flight_;
  bool is_closed_ = false;
};

}  // namespace hemalink::session
