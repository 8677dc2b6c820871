#include "server/session/astm_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "drivers/common/host_query.hpp"
#include "drivers/model/compact_time.hpp"
#include "server/session/message_log.hpp"

namespace hemalink::session {
namespace {

using Clock = std::chrono::steady_clock;

astm::LinkOptions with_deferred_ack(astm::LinkOptions options) {
  options.defer_message_ack = options.mode == astm::LinkMode::E1381;
  return options;
}

// Q records, in whatever delimiter the analyzer's H record declared.
bool is_host_query(std::string_view records) {
  if (records.size() < 2 || records[0] != 'H') {
    return false;
  }
  const char field = records[1];
  for (std::size_t at = 0; at < records.size();) {
    if (records[at] == 'Q' && at + 1 < records.size() && records[at + 1] == field) {
      return true;
    }
    const auto end = records.find_first_of("\r\n", at);
    if (end == std::string_view::npos) {
      break;
    }
    at = records.find_first_not_of("\r\n", end);
  }
  return false;
}

std::string reason_for(astm::MessageEnd end) {
  return fmt::format("ended without its L record: {}", astm::to_string(end));
}

}  // namespace

AstmSession::AstmSession(SessionPeer peer, astm::LinkOptions options, AstmSessionIo& io,
                         std::shared_ptr<metrics::LinkTally> leniencies,
                         std::shared_ptr<metrics::MessageTimings> timings)
    : peer_(std::move(peer)),
      defers_ack_(options.mode == astm::LinkMode::E1381),
      io_(io),
      link_tally_(std::move(leniencies)),
      timings_(std::move(timings)),
      link_(with_deferred_ack(options), *this) {}

void AstmSession::feed(ByteView bytes) {
  link_.feed(bytes);
}

void AstmSession::on_timeout(astm::LinkTimer timer) {
  link_.on_timeout(timer);
}

void AstmSession::finish() {
  link_.finish();
  is_closed_ = true;
}

void AstmSession::on_write(std::string_view bytes) {
  if (!is_closed_) {
    io_.write(bytes);
  }
}

void AstmSession::on_arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) {
  io_.arm_timer(timer, after);
}

void AstmSession::on_cancel_timer(astm::LinkTimer timer) {
  io_.cancel_timer(timer);
}

records::Receipt AstmSession::receipt(std::string raw, records::Direction direction) const {
  return records::Receipt::arrived(peer_.analyzer, peer_.driver, model::WireProtocol::Astm,
                                   peer_.address, std::move(raw), direction);
}

void AstmSession::on_message(std::string_view records, astm::MessageEnd end, std::size_t) {
  if (end == astm::MessageEnd::EndOfStream) {
    ++counts_.dropped;  // its last frame was never acknowledged: the analyzer sends it again
    spdlog::warn("{} {}: connection closed in the middle of a message; not stored", peer_.analyzer,
                 peer_.address);
    return;
  }
  ++counts_.messages;
  auto r = receipt(std::string(records), records::Direction::In);
  const bool is_terminated = end == astm::MessageEnd::Terminated;
  if (!is_terminated) {
    ++counts_.incomplete;
    r.link_status = records::MessageStatus::Incomplete;
    r.link_reason = reason_for(end);
  }
  metrics::MessageTimes times;
  times.received = Clock::now();
  const bool is_query = is_terminated && is_host_query(records);
  const auto id = r.id.to_string();
  const bool waits_for_ack = is_terminated && defers_ack_ && !is_query;
  io_.submit({std::move(r), std::nullopt},
             [this, id, times, waits_for_ack](const store::Completion& completion) {
               stored(completion, waits_for_ack, id, times);
             });
  if (is_query) {
    // A query carries no result: it is acknowledged and answered at once, from the orders
    // already committed, while it is stored for the record. One lost to a crash costs nothing:
    // the analyzer, answered nothing, asks again.
    if (defers_ack_) {
      ++counts_.acknowledged;
      link_.acknowledge_message();
    }
    answer_query(std::string(records));
  }
}

// The ACK of the final frame goes once the message is durable (refused, so the analyzer sends it
// again, when it is not).
void AstmSession::stored(const store::Completion& completion, bool waits_for_ack,
                         const std::string& id, metrics::MessageTimes times) {
  times.read = completion.read_at;
  times.committed = completion.committed_at;
  const bool is_durable = store::is_durable(completion.outcome);
  if (waits_for_ack && !is_closed_) {
    if (is_durable) {
      ++counts_.acknowledged;
      link_.acknowledge_message();
    } else {
      ++counts_.refused;
      link_.refuse_message();
    }
  }
  times.answered = Clock::now();
  log_message(peer_.analyzer, peer_.address, id, completion, times);
  if (timings_) {
    timings_->record(times);
  }
}

void AstmSession::answer_query(std::string records) {
  ++counts_.queries;
  io_.answer_host_query(std::move(records), [this](HostReply answer) {
    if (answer.reply.empty()) {
      const auto now = model::compact_utc(std::chrono::system_clock::now());
      answer.reply = drivers::terminated_reply("I", now);
    }
    send_reply(std::move(answer.reply), std::move(answer.test_ids));
  });
}

bool AstmSession::send_work(session::WorkToSend work) {
  return send_reply(std::move(work.message), std::move(work.test_ids));
}

// The analyzer asks again (or is sent its work again) when it reconnects, so a closed
// connection sends nothing.
bool AstmSession::send_reply(std::string reply, std::vector<long long> test_ids) {
  if (is_closed_) {
    return false;
  }
  const bool carries_work = !test_ids.empty();
  sending_ = &test_ids;
  const auto id = link_.send(reply);
  sending_ = nullptr;
  if (id == 0) {
    spdlog::warn("{} {}: outgoing message not queued: the link's queue is full", peer_.analyzer,
                 peer_.address);
    return false;
  }
  if (carries_work) {
    ++counts_.work_sent;
    if (!test_ids.empty()) {  // not yet reported sent (a bare link reports inside send())
      work_in_flight_.emplace(id, std::move(test_ids));
    }
  }
  records::MessageContent sent;  // an outgoing message: kept, nothing to decide
  io_.submit({receipt(std::move(reply), records::Direction::Out), std::move(sent)},
             [](const store::Completion&) {});
  return true;
}

// The link has answered it already (NAK, or nothing for stray bytes); the bytes are kept, raw,
// as a rejected message with the reason, whatever becomes of the message they belonged to.
void AstmSession::on_error(const ParseError& error, std::string_view raw) {
  ++counts_.link_errors;
  if (link_tally_) {
    link_tally_->add_link_error(peer_.analyzer);
  }
  spdlog::warn("{} {}: {}", peer_.analyzer, peer_.address, error.describe());
  if (raw.empty()) {
    return;
  }
  auto r = receipt(std::string(raw), records::Direction::In);
  const auto id = r.id.to_string();
  metrics::MessageTimes times;
  times.received = Clock::now();
  io_.submit({std::move(r), records::MessageContent::rejected(error)},
             [this, id, times](const store::Completion& c) mutable {
               times.read = c.read_at;
               times.committed = c.committed_at;
               times.answered = Clock::now();
               log_message(peer_.analyzer, peer_.address, id, c, times);
             });
}

void AstmSession::on_notice(astm::LinkNotice notice, std::size_t byte_offset) {
  if (link_tally_) {
    link_tally_->add(peer_.analyzer, notice);
  }
  if (!astm::is_leniency(notice)) {
    spdlog::debug("{} {}: {} at byte {}", peer_.analyzer, peer_.address, astm::to_string(notice),
                  byte_offset);
    return;
  }
  ++counts_.leniencies;
  if (leniencies_logged_.insert(notice).second) {
    spdlog::info(
        "{} {}: {} at byte {} (a configured leniency; logged once per connection, "
        "counted every time)",
        peer_.analyzer, peer_.address, astm::to_string(notice), byte_offset);
  }
}

void AstmSession::on_sent(std::uint64_t message_id, std::error_code result) {
  std::vector<long long> taken;
  if (sending_ != nullptr) {
    taken.swap(*sending_);
  } else if (auto found = work_in_flight_.find(message_id); found != work_in_flight_.end()) {
    taken = std::move(found->second);
    work_in_flight_.erase(found);
  }
  if (result) {
    spdlog::warn("{} {}: outgoing message {} not delivered: {}", peer_.analyzer, peer_.address,
                 message_id, result.message());
    return;
  }
  if (!taken.empty()) {
    ++counts_.work_taken;
    io_.work_acknowledged(std::move(taken));
  }
}

}  // namespace hemalink::session
