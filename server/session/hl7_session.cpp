#include "server/session/hl7_session.hpp"

#include <fmt/format.h>

#include <utility>

#include "drivers/common/hl7_reply_header.hpp"
#include "protocols/hl7/errc.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/session/message_log.hpp"

namespace hemalink::session {
namespace {

using Clock = std::chrono::steady_clock;

// What the ERR segment says about a message stored as rejected.
hl7::AckError rejection(std::string reason) {
  hl7::AckError error;
  error.code = 207;
  error.message = std::move(reason);
  return error;
}

hl7::AckOutcome outcome_of(const store::Completion& completion, bool is_rejected) {
  if (!store::is_durable(completion.outcome)) {
    return hl7::AckOutcome::Rejected;
  }
  return is_rejected ? hl7::AckOutcome::Error : hl7::AckOutcome::Accepted;
}

}  // namespace

Hl7Session::Hl7Session(SessionPeer peer, SessionIo& io,
                       std::shared_ptr<metrics::MessageTimings> timings)
    : peer_(std::move(peer)),
      io_(io),
      timings_(std::move(timings)),
      framer_(hl7::MllpLimits{peer_.max_message_bytes}, *this) {}

void Hl7Session::feed(ByteView bytes) {
  framer_.feed(bytes);
}

void Hl7Session::finish() {
  framer_.finish();
  is_closed_ = true;
}

bool Hl7Session::send_work(session::WorkToSend work) {
  if (is_closed_) {
    return false;
  }
  std::string framed;
  hl7::mllp_wrap(work.message, framed);
  io_.write(framed);
  await_acceptance(work.message, std::move(work.test_ids));
  keep_sent(std::move(work.message));
  return true;
}

// A work order sent is kept as an outgoing message, as an ASTM answer is: what the analyzer was
// told to run is on record.
void Hl7Session::keep_sent(std::string message) {
  records::MessageContent sent;
  io_.submit({records::Receipt::arrived(peer_.analyzer, peer_.driver, model::WireProtocol::Hl7,
                                        peer_.address, std::move(message), records::Direction::Out),
              std::move(sent)},
             [](const store::Completion&) {});
}

void Hl7Session::await_acceptance(std::string_view work_order, std::vector<long long> test_ids) {
  ++counts_.work_sent;
  constexpr std::size_t kMaxAwaited = 64;  // an analyzer that never answers costs no memory
  if (!test_ids.empty() && work_in_flight_.size() < kMaxAwaited) {
    work_in_flight_.emplace(hl7::AckContext::from_raw(work_order).control_id, std::move(test_ids));
  }
}

// MSA-2 names the work order; AA/CA: the analyzer took its tests (AE/AR: it did not, and they
// stay sent, to be sent again after a reconnect).
void Hl7Session::notice_acceptance(std::string_view acknowledgement) {
  if (work_in_flight_.empty()) {
    return;
  }
  auto message = hl7::V2Message::parse(std::string(without_byte_order_mark(acknowledgement)));
  const auto msa = message ? message->find("MSA") : std::nullopt;
  if (!msa) {
    return;
  }
  const auto found = work_in_flight_.find(msa->field(2));
  if (found == work_in_flight_.end()) {
    return;
  }
  auto taken = std::move(found->second);
  work_in_flight_.erase(found);
  if (msa->field(1) == "AA" || msa->field(1) == "CA") {
    ++counts_.work_taken;
    io_.work_acknowledged(std::move(taken));
  }
}

void Hl7Session::on_message(std::string_view payload, std::size_t) {
  auto receipt = arrived(std::string(payload));
  auto pending = pending_of(receipt);
  const auto& code = pending->context.message_code;
  if (code == "ACK" || code == "ORL") {
    notice_acceptance(without_byte_order_mark(receipt.raw));
  }
  if (code == "QBP") {
    pending->query = receipt.raw;
  }
  take_in(std::move(receipt), std::nullopt, pending);
}

// A frame cut by the size limit or bytes outside any frame: what arrived is kept, raw, as
// rejected (nothing received is lost) and answered when it carries an MSH to answer. A frame
// cut short by the connection closing is dropped: it was never acknowledged, and the analyzer
// sends it again whole.
void Hl7Session::on_error(const ParseError& error, std::string_view raw) {
  ++counts_.framing_errors;
  if (raw.empty() || error.code == hl7::Errc::TruncatedFrame) {
    return;
  }
  auto receipt = arrived(std::string(raw));
  auto pending = pending_of(receipt);
  auto content = records::MessageContent::rejected(error);
  pending->framing_error = rejection(content.reject_reason);
  take_in(std::move(receipt), std::move(content), pending);
}

records::Receipt Hl7Session::arrived(std::string raw) {
  ++counts_.messages;
  return records::Receipt::arrived(peer_.analyzer, peer_.driver, model::WireProtocol::Hl7,
                                   peer_.address, std::move(raw));
}

std::shared_ptr<Hl7Session::Pending> Hl7Session::pending_of(const records::Receipt& receipt) {
  auto pending = std::make_shared<Pending>();
  pending->times.received = Clock::now();
  const auto header = without_byte_order_mark(receipt.raw);  // kept in raw as it came
  pending->context = hl7::AckContext::from_raw(header);
  const auto& code = pending->context.message_code;
  pending->is_answered = header.starts_with("MSH") && code != "ACK" && code != "ORL";
  pending->id = receipt.id.to_string();
  return pending;
}

// `content` is what is already known of the message (rejected by the framer), or nullopt for
// the reader to read it.
void Hl7Session::take_in(records::Receipt receipt, std::optional<records::MessageContent> content,
                         const std::shared_ptr<Pending>& pending) {
  pending_.push_back(pending);
  io_.submit({std::move(receipt), std::move(content)},
             [this, pending](const store::Completion& completion) {
               answer(*pending, completion);
               if (pending->is_flushed) {
                 log(*pending);  // a query answered before its own commit
               }
               flush();
             });
  if (!pending->query.empty()) {
    ask(pending);  // a query carries no result: answered at once, stored for the record
  }
}

void Hl7Session::log(Pending& done) {
  log_message(peer_.analyzer, peer_.address, done.id, done.completion, done.times);
  if (timings_) {
    timings_->record(done.times);
  }
}

// Original mode (no MSH-15/16): one acknowledgement, AA when it is durable and was read (or
// spooled before it could be: it is read at replay), AE with an ERR segment when it is durable but
// did not parse or translate, AR when not durable. Enhanced mode: the commit acknowledgement
// (CA, CE, CR) when MSH-15 asks for it, then the application acknowledgement (AA, AE; an order
// feed's ORL or ORR) as its own message when MSH-16 does. A message that could not be stored is
// answered CR whatever MSH-15 says: the sender must send it again.
void Hl7Session::answer(Pending& pending, const store::Completion& completion) {
  pending.completion = completion;
  pending.times.read = completion.read_at;
  pending.times.committed = completion.committed_at;
  const bool is_rejected =
      pending.framing_error ||
      (completion.content && completion.content->status == records::MessageStatus::Rejected);
  const auto outcome = outcome_of(completion, is_rejected);
  std::optional<hl7::AckError> error = pending.framing_error;
  if (outcome == hl7::AckOutcome::Rejected) {
    error = hl7::AckError{"", 0, 0, 207, fmt::format("not stored: {}", completion.failure.detail)};
    ++counts_.refused;
  } else if (outcome == hl7::AckOutcome::Error) {
    if (!error) {
      error = rejection(completion.content->reason);
    }
    ++counts_.errors;
  } else {
    ++counts_.accepted;
  }
  if (!pending.has_reply) {
    if (pending.context.is_enhanced_mode) {
      answer_enhanced(pending, completion, outcome, error);
    } else if (outcome == hl7::AckOutcome::Accepted && !completion.original_ack.empty()) {
      pending.ack = completion.original_ack;
    } else {
      pending.ack = own_ack(pending.context, hl7::ack_code(outcome, false), error);
    }
  }
  pending.is_stored = true;
  pending.is_complete = !pending.is_asking;
}

void Hl7Session::answer_enhanced(Pending& pending, const store::Completion& completion,
                                 hl7::AckOutcome outcome,
                                 const std::optional<hl7::AckError>& error) {
  const auto& context = pending.context;
  if (outcome == hl7::AckOutcome::Rejected || hl7::is_wanted(context.accept, outcome)) {
    pending.ack = own_ack(context, hl7::ack_code(outcome, true), error);
  }
  if (outcome == hl7::AckOutcome::Rejected) {
    return;  // not stored: nothing was applied to answer for
  }
  const auto applied = outcome == hl7::AckOutcome::Accepted && completion.answer_has_errors
                           ? hl7::AckOutcome::Error
                           : outcome;
  if (!hl7::is_wanted(context.application, applied)) {
    return;
  }
  if (outcome == hl7::AckOutcome::Accepted && !completion.application_ack.empty()) {
    pending.application_ack = completion.application_ack;
    return;
  }
  auto header =
      drivers::reply_header(model::MessageId::generate(), std::chrono::system_clock::now());
  header.accept_type = "NE";
  header.application_type = "NE";
  hl7::build_ack(context, hl7::ack_code(applied, false), error, header, pending.application_ack);
}

std::string Hl7Session::own_ack(const hl7::AckContext& context, hl7::AckCode code,
                                const std::optional<hl7::AckError>& error) {
  std::string ack;
  hl7::build_ack(
      context, code, error,
      drivers::reply_header(model::MessageId::generate(), std::chrono::system_clock::now()), ack);
  return ack;
}

// The query's answer goes as soon as the io has it; when it has none, the ACK built once the
// query is stored stands.
void Hl7Session::ask(const std::shared_ptr<Pending>& pending) {
  pending->is_asking = true;
  io_.answer_host_query(pending->query, [this, pending](HostReply reply) {
    pending->is_asking = false;
    if (!reply.reply.empty()) {  // the RSP^K11 is the query's answer, in either mode
      pending->ack = std::move(reply.reply);
      pending->application_ack.clear();
      pending->follow_up = std::move(reply.follow_up);
      pending->follow_up_tests = std::move(reply.test_ids);
      pending->has_reply = true;
    }
    pending->is_complete = pending->has_reply || pending->is_stored;
    flush();
  });
}

void Hl7Session::flush() {
  while (!pending_.empty() && pending_.front()->is_complete) {
    auto& done = *pending_.front();
    if (done.is_answered) {
      std::string framed;
      for (const auto* message : {&done.ack, &done.application_ack, &done.follow_up}) {
        if (!message->empty())
          hl7::mllp_wrap(*message, framed);
      }
      if (!framed.empty())
        io_.write(framed);
      if (!done.follow_up.empty()) {
        await_acceptance(done.follow_up, std::move(done.follow_up_tests));
        keep_sent(std::move(done.follow_up));
      }
    }
    done.times.answered = Clock::now();
    done.is_flushed = true;
    if (done.is_stored) {
      log(done);
    }
    pending_.pop_front();
  }
}

}  // namespace hemalink::session
