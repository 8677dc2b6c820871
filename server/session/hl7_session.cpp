#include "server/session/hl7_session.hpp"

#include <fmt/format.h>

#include <utility>

#include "drivers/model/compact_time.hpp"
#include "protocols/hl7/errc.hpp"
#include "server/session/message_log.hpp"

namespace hemalink::session {
namespace {

using Clock = std::chrono::steady_clock;

// What the ERR segment says about a message stored as rejected.
hl7::AckError rejection(const store::MessageContent& content) {
  hl7::AckError error;
  error.code = 207;
  error.message = content.reject_reason;
  return error;
}

hl7::AckOutcome outcome_of(const store::Completion& completion, bool is_rejected) {
  if (!store::is_durable(completion.outcome)) {
    return hl7::AckOutcome::Rejected;
  }
  return is_rejected ? hl7::AckOutcome::Error : hl7::AckOutcome::Accepted;
}

}  // namespace

hl7::AckHeader ack_header(const model::MessageId& id, std::chrono::system_clock::time_point now) {
  hl7::AckHeader header;
  std::string hex = id.to_string();
  std::erase(hex, '-');
  header.control_id = hex.substr(0, 20);  // 48 bits of time, then random bits
  header.timestamp = model::compact_utc(now);
  header.timestamp.append("+0000");
  return header;
}

Hl7Session::Hl7Session(SessionPeer peer, std::shared_ptr<const ingest::CurrentMessageReader> reader,
                       SessionIo& io)
    : peer_(std::move(peer)),
      reader_(std::move(reader)),
      io_(io),
      framer_(hl7::MllpLimits{peer_.max_message_bytes}, *this) {}

void Hl7Session::feed(ByteView bytes) {
  framer_.feed(bytes);
}

void Hl7Session::finish() {
  framer_.finish();
}

void Hl7Session::on_message(std::string_view payload, std::size_t) {
  receive(std::string(payload), std::nullopt);
}

// A frame cut by the size limit or bytes outside any frame: what arrived is kept, raw, as
// rejected (nothing received is lost) and answered when it carries an MSH to answer. A frame
// cut short by the connection closing is dropped: it was never acknowledged, and the analyzer
// sends it again whole.
void Hl7Session::on_error(const ParseError& error, std::string_view raw) {
  ++counts_.framing_errors;
  if (!raw.empty() && error.code != hl7::Errc::TruncatedFrame) {
    receive(std::string(raw), error);
  }
}

void Hl7Session::receive(std::string raw, std::optional<ParseError> framing_error) {
  ++counts_.messages;
  auto receipt = store::Receipt::arrived(peer_.analyzer, peer_.driver, model::WireProtocol::Hl7,
                                         peer_.address, std::move(raw));

  auto pending = std::make_shared<Pending>();
  pending->context = hl7::AckContext::from_raw(receipt.raw);
  pending->is_answered = receipt.raw.starts_with("MSH");
  auto content =
      framing_error ? store::MessageContent::rejected(*framing_error) : reader_->read(receipt);
  const bool is_rejected = content.status == store::MessageStatus::Rejected;
  if (is_rejected) {
    pending->error = rejection(content);
  }
  pending_.push_back(pending);

  auto summary = summarize(content);
  const auto id = receipt.id;
  const auto submitted = Clock::now();
  io_.submit({std::move(receipt), std::move(content)}, [this, pending, summary = std::move(summary),
                                                        id, submitted, is_rejected](
                                                           const store::Completion& completion) {
    log_message(peer_.analyzer, peer_.address, id.to_string(), summary, completion,
                Clock::now() - submitted);
    const auto outcome = outcome_of(completion, is_rejected);
    auto error = pending->error;
    if (outcome == hl7::AckOutcome::Rejected) {
      error = hl7::AckError{"", 0, 0, 207, fmt::format("not stored: {}", completion.detail)};
      ++counts_.refused;
    } else if (outcome == hl7::AckOutcome::Error) {
      ++counts_.errors;
    } else {
      ++counts_.accepted;
    }
    hl7::build_ack(
        pending->context, hl7::ack_code(outcome, pending->context.is_enhanced_mode), error,
        ack_header(model::MessageId::generate(), std::chrono::system_clock::now()), pending->ack);
    pending->is_complete = true;
    flush();
  });
}

void Hl7Session::flush() {
  while (!pending_.empty() && pending_.front()->is_complete) {
    if (pending_.front()->is_answered) {
      std::string framed;
      hl7::mllp_wrap(pending_.front()->ack, framed);
      io_.write(framed);
    }
    pending_.pop_front();
  }
}

}  // namespace hemalink::session
