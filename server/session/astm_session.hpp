#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "protocols/astm/e1381_link.hpp"
#include "server/metrics/link_tally.hpp"
#include "server/metrics/message_timings.hpp"
#include "server/session/session_io.hpp"
#include "server/session/session_peer.hpp"
#include "server/session/work_to_send.hpp"

namespace hemalink::session {

/// What an ASTM session asks of its connection besides SessionIo: the link layer's two timers.
class AstmSessionIo : public SessionIo {
 public:
  virtual void arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) = 0;
  virtual void cancel_timer(astm::LinkTimer timer) = 0;
};

struct AstmSessionCounts {
  std::uint64_t messages = 0;      ///< Handed to the store.
  std::uint64_t acknowledged = 0;  ///< Final frame ACKed after the store's completion.
  std::uint64_t refused = 0;       ///< Final frame left unanswered: not durable.
  std::uint64_t incomplete = 0;    ///< Ended without their L record (stored as incomplete).
  std::uint64_t dropped = 0;       ///< Cut short by the connection closing: not stored.
  std::uint64_t link_errors = 0;   ///< Frames NAKed, bytes that belonged to nothing: kept raw.
  std::uint64_t leniencies = 0;    ///< Things a leniency let through (see metrics::LinkTally).
  std::uint64_t queries = 0;       ///< Host queries answered.
  std::uint64_t work_sent = 0;     ///< Work messages sent (query answers with work, downloads).
  std::uint64_t work_taken = 0;    ///< Of them, the ones whose last frame the analyzer ACKed.
};

/// One ASTM analyzer connection without I/O, over E1381 (or bare records). Each message becomes
/// a receipt handed to the store, which reads it off this thread; with E1381 the ACK of its final
/// frame is
/// held until the store says it is durable (refused, i.e. left unanswered so the analyzer sends
/// it again, when it is not). A message the analyzer ended without its L record (EOT, a new H,
/// the receive timeout) is stored as incomplete; one cut short by the connection closing is
/// dropped, since its last frame was never acknowledged. A host query (Q records) carries no
/// result: it is acknowledged at once and answered with what the io works out (the pending
/// orders, in the analyzer's codes) while it is stored for the record; the reply is stored as an
/// outgoing message. Work sent of hemalink's own accord (download mode) goes
/// the same way; the io learns which order tests the analyzer took when the last frame of the
/// message carrying them is ACKed. What the link refuses (a NAKed frame, bytes outside any
/// frame) is kept raw as a rejected message, like an HL7 framing error: nothing received is lost.
class AstmSession : private astm::LinkSink {
 public:
  /// `leniencies`, when given, counts every leniency the link uses, per analyzer; `timings`
  /// learns how long each message took at each stage.
  AstmSession(SessionPeer peer, astm::LinkOptions options, AstmSessionIo& io,
              std::shared_ptr<metrics::LinkTally> leniencies = nullptr,
              std::shared_ptr<metrics::MessageTimings> timings = nullptr);

  void feed(ByteView bytes);
  void on_timeout(astm::LinkTimer timer);
  /// Sends `work` once the link is free (E1381 contention and retries included); false when
  /// the link's outbound queue is full or the connection is closed.
  bool send_work(session::WorkToSend work);
  /// The connection closed.
  void finish();

  const AstmSessionCounts& counts() const { return counts_; }

 private:
  void on_write(std::string_view bytes) override;
  void on_arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) override;
  void on_cancel_timer(astm::LinkTimer timer) override;
  void on_message(std::string_view records, astm::MessageEnd end,
                  std::size_t stream_offset) override;
  void on_error(const ParseError& error, std::string_view raw) override;
  void on_notice(astm::LinkNotice notice, std::size_t byte_offset) override;
  void on_sent(std::uint64_t message_id, std::error_code result) override;

  records::Receipt receipt(std::string raw, records::Direction direction) const;
  void stored(const store::Completion& completion, bool waits_for_ack, const std::string& id,
              metrics::MessageTimes times);
  void answer_query(std::string records);
  bool send_reply(std::string reply, std::vector<long long> test_ids);

  SessionPeer peer_;
  bool defers_ack_;
  AstmSessionIo& io_;
  std::shared_ptr<metrics::LinkTally> link_tally_;
  std::shared_ptr<metrics::MessageTimings> timings_;
  std::set<astm::LinkNotice> leniencies_logged_;  ///< Each logged once per connection.
  astm::E1381Link link_;
  bool is_closed_ = false;
  AstmSessionCounts counts_;
  std::map<std::uint64_t, std::vector<long long>> work_in_flight_;  ///< By link message id.
  std::vector<long long>* sending_ = nullptr;  ///< Bare links report sent inside send().
};

}  // namespace hemalink::session
