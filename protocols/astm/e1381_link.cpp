#include "protocols/astm/e1381_link.hpp"

#include <fmt/format.h>

#include <cctype>

#include "protocols/astm/errc.hpp"
#include "protocols/common/hex.hpp"

namespace hemalink::astm {
namespace {

bool is_frame_stop(char c) {
  return c == ctl::kEtx || c == ctl::kEtb || c == ctl::kStx || c == ctl::kEot;
}

}  // namespace

bool is_leniency(LinkNotice notice) {
  switch (notice) {
    case LinkNotice::AcceptedBadChecksum:
    case LinkNotice::AcceptedLfAsCrChecksum:
    case LinkNotice::AcceptedUnpaddedChecksum:
    case LinkNotice::AcceptedLowercaseChecksum:
    case LinkNotice::AcceptedFrameNumber:
    case LinkNotice::AcceptedMissingFrameNumber:
    case LinkNotice::AcceptedFrameWithoutEnq:
    case LinkNotice::AcceptedLenientTrailer:
      return true;
    case LinkNotice::DuplicateFrame:
    case LinkNotice::ByteIgnored:
    case LinkNotice::Contention:
    case LinkNotice::ReceiverInterrupt:
    case LinkNotice::FrameSentAgain:
    case LinkNotice::PeerAbandonedMessage:
      break;
  }
  return false;
}

const char* to_string(LinkNotice notice) {
  switch (notice) {
    case LinkNotice::DuplicateFrame:
      return "duplicate frame acknowledged and dropped";
    case LinkNotice::ByteIgnored:
      return "byte ignored";
    case LinkNotice::Contention:
      return "contention: yielded to the analyzer";
    case LinkNotice::ReceiverInterrupt:
      return "receiver interrupt";
    case LinkNotice::FrameSentAgain:
      return "frame sent again after a NAK or timeout";
    case LinkNotice::PeerAbandonedMessage:
      return "analyzer sent EOT before the message was acknowledged";
    case LinkNotice::AcceptedBadChecksum:
      return "accepted a frame with a bad checksum";
    case LinkNotice::AcceptedLfAsCrChecksum:
      return "checksum matched only with LF read as CR";
    case LinkNotice::AcceptedUnpaddedChecksum:
      return "accepted a one-digit checksum";
    case LinkNotice::AcceptedLowercaseChecksum:
      return "accepted a lower-case checksum";
    case LinkNotice::AcceptedFrameNumber:
      return "accepted an out-of-sequence frame number";
    case LinkNotice::AcceptedMissingFrameNumber:
      return "accepted a frame without a frame number";
    case LinkNotice::AcceptedFrameWithoutEnq:
      return "accepted a frame without ENQ";
    case LinkNotice::AcceptedLenientTrailer:
      return "accepted a frame without CR LF after the checksum";
  }
  return "unknown notice";
}

std::uint8_t frame_checksum(std::string_view fn_text_terminator) {
  unsigned sum = 0;
  for (char c : fn_text_terminator) {
    sum += static_cast<unsigned char>(c);
  }
  return static_cast<std::uint8_t>(sum & 0xFF);
}

void encode_frame(int frame_number, std::string_view text, bool is_final, std::string& out) {
  out.push_back(ctl::kStx);
  const std::size_t body = out.size();
  out.push_back(static_cast<char>('0' + (frame_number & 7)));
  out.append(text);
  out.push_back(is_final ? ctl::kEtx : ctl::kEtb);
  const auto sum = frame_checksum(std::string_view(out).substr(body));
  append_hex(out, std::span(&sum, 1), HexCase::Upper);
  out.push_back(ctl::kCr);
  out.push_back(ctl::kLf);
}

E1381Link::E1381Link(LinkOptions options, LinkSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      assembler_(options_.limits, options_.skip_hash_comment_lines, *this) {}

std::size_t E1381Link::feed(ByteView bytes) {
  const std::string_view text = as_text(bytes);
  if (options_.mode == LinkMode::Bare) {
    assembler_.append(text, offset_);
    offset_ += text.size();
    return text.size();
  }
  std::size_t i = 0;
  while (i < text.size()) {
    if (state_ == State::RxFrame) {
      // Bulk-copy frame text up to the next byte that ends or cuts the frame.
      std::size_t j = i;
      while (j < text.size() && !is_frame_stop(text[j])) {
        ++j;
      }
      if (!is_frame_too_long_) {
        frame_.append(text.substr(i, j - i));
        if (frame_.size() > options_.max_frame_text + 1) {
          is_frame_too_long_ = true;
          frame_.resize(options_.max_frame_text + 1);
        }
      }
      offset_ += j - i;
      i = j;
      if (i == text.size()) {
        break;
      }
    }
    feed_byte(text[i]);
    ++offset_;
    ++i;
  }
  return text.size();
}

void E1381Link::feed_byte(char c) {
  if (skip_lf_) {
    skip_lf_ = false;
    if (c == ctl::kLf) {
      return;
    }
  }
  switch (state_) {
    case State::Idle:
      on_idle_byte(c);
      break;
    case State::RxBetweenFrames:
      on_between_frames_byte(c);
      break;
    case State::RxFrame:
      if (c == ctl::kEtx || c == ctl::kEtb) {
        frame_.push_back(c);
        checksum_chars_ = 0;
        state_ = State::RxChecksum;
      } else if (c == ctl::kEot) {
        end_receiving(MessageEnd::EndOfTransfer);
      } else {  // STX: the frame was cut; start again with the new one.
        sink_.on_error(
            {make_error_code(Errc::MalformedFrame),
             fmt::format("frame at byte {} cut by STX before ETX/ETB", frame_start_), frame_start_},
            frame_);
        frame_.clear();
        frame_start_ = offset_;
        is_frame_too_long_ = false;
      }
      break;
    case State::RxChecksum:
      on_checksum_byte(c);
      break;
    case State::RxTrailer:
      on_trailer_byte(c);
      break;
    case State::RxAwaitCommit:
      if (c == ctl::kEot) {
        // The analyzer's frame timer ran out before the store answered: it will resend.
        sink_.on_notice(LinkNotice::PeerAbandonedMessage, offset_);
        held_messages_ = 0;
        end_receiving(MessageEnd::EndOfTransfer);
      } else {
        sink_.on_notice(LinkNotice::ByteIgnored, offset_);
      }
      break;
    case State::RxRefused:
      if (c == ctl::kEot) {
        end_receiving(MessageEnd::EndOfTransfer);
      }
      break;
    case State::TxAwaitEnqReply:
      on_enq_reply(c);
      break;
    case State::TxAwaitFrameReply:
      on_frame_reply(c);
      break;
  }
}

void E1381Link::on_idle_byte(char c) {
  if (c == ctl::kEnq) {
    if (is_busy_) {
      reply(ctl::kNak);
    } else {
      start_receiving(true);
    }
  } else if (c == ctl::kStx && options_.accept_frames_without_enq) {
    sink_.on_notice(LinkNotice::AcceptedFrameWithoutEnq, offset_);
    start_receiving(false);
    on_between_frames_byte(c);
  } else {
    sink_.on_notice(LinkNotice::ByteIgnored, offset_);
  }
}

void E1381Link::start_receiving(bool acknowledge_enq) {
  if (acknowledge_enq) {
    reply(ctl::kAck);
  }
  state_ = State::RxBetweenFrames;
  expected_fn_ = 1;
  last_fn_ = -1;
  sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
}

void E1381Link::on_between_frames_byte(char c) {
  if (c == ctl::kStx) {
    frame_.clear();
    frame_start_ = offset_;
    is_frame_too_long_ = false;
    state_ = State::RxFrame;
  } else if (c == ctl::kEot) {
    end_receiving(MessageEnd::EndOfTransfer);
  } else if (c == ctl::kEnq) {
    // The analyzer started over without EOT: close what it sent, then answer the new ENQ.
    end_receiving(MessageEnd::EndOfTransfer);
    if (state_ == State::Idle) {
      on_idle_byte(c);
    }
  } else {
    sink_.on_notice(LinkNotice::ByteIgnored, offset_);
  }
}

void E1381Link::on_checksum_byte(char c) {
  const bool is_trailer = c == ctl::kCr || c == ctl::kLf;
  if (checksum_chars_ == 1 && is_trailer && options_.accept_unpadded_checksum) {
    sink_.on_notice(LinkNotice::AcceptedUnpaddedChecksum, offset_);
    checksum_[1] = checksum_[0];
    checksum_[0] = '0';
    checksum_chars_ = 2;
    state_ = State::RxTrailer;
    on_trailer_byte(c);
    return;
  }
  checksum_[checksum_chars_++] = c;
  if (checksum_chars_ == 2) {
    state_ = State::RxTrailer;
  }
}

void E1381Link::on_trailer_byte(char c) {
  if (c == ctl::kCr) {
    complete_frame();
    skip_lf_ = true;
  } else if (c == ctl::kLf && options_.accept_lenient_frame_trailer) {
    sink_.on_notice(LinkNotice::AcceptedLenientTrailer, offset_);
    complete_frame();
  } else {
    refuse_frame(Errc::MalformedFrame, "expected CR LF after the checksum");
    if (c == ctl::kStx || c == ctl::kEot || c == ctl::kEnq) {
      on_between_frames_byte(c);
    }
  }
}

bool E1381Link::check_checksum() {
  const bool is_lowercase = std::islower(static_cast<unsigned char>(checksum_[0])) ||
                            std::islower(static_cast<unsigned char>(checksum_[1]));
  const auto sent_byte = hex_decode(std::string_view(checksum_, 2));
  if (!sent_byte || (is_lowercase && !options_.accept_lowercase_checksum)) {
    refuse_frame(Errc::MalformedChecksum,
                 fmt::format("checksum {:?} is not two upper-case hexadecimal digits",
                             std::string_view(checksum_, 2)));
    return false;
  }
  if (is_lowercase) {
    sink_.on_notice(LinkNotice::AcceptedLowercaseChecksum, frame_start_);
  }
  const int sent = static_cast<unsigned char>(sent_byte->front());
  const std::uint8_t computed = frame_checksum(frame_);
  if (sent == computed) {
    return true;
  }
  if (options_.accept_lf_as_cr_in_checksum) {
    unsigned sum = 0;
    for (char c : frame_) {
      sum += static_cast<unsigned char>(c == ctl::kLf ? ctl::kCr : c);
    }
    if ((sum & 0xFF) == static_cast<unsigned>(sent)) {
      sink_.on_notice(LinkNotice::AcceptedLfAsCrChecksum, frame_start_);
      return true;
    }
  }
  if (options_.accept_bad_checksum) {
    sink_.on_notice(LinkNotice::AcceptedBadChecksum, frame_start_);
    return true;
  }
  refuse_frame(Errc::BadChecksum, fmt::format("checksum {:02X} sent, {:02X} computed", sent,
                                              static_cast<unsigned>(computed)));
  return false;
}

void E1381Link::complete_frame() {
  if (is_frame_too_long_) {
    refuse_frame(Errc::FrameTooLong,
                 fmt::format("frame text longer than {} bytes", options_.max_frame_text));
    return;
  }
  if (!check_checksum()) {
    return;
  }
  int fn = -1;
  std::size_t text_start = 1;
  const char first = frame_.size() > 1 ? frame_[0] : '\0';
  if (first >= '0' && first <= '7') {
    fn = first - '0';
  } else if (options_.accept_missing_frame_number) {
    sink_.on_notice(LinkNotice::AcceptedMissingFrameNumber, frame_start_);
    text_start = 0;
  } else {
    refuse_frame(Errc::MissingFrameNumber, "no frame number 0-7 after STX");
    return;
  }
  if (fn >= 0 && fn != expected_fn_) {
    if (fn == last_fn_ && frame_ == last_frame_) {
      // Our ACK of this frame was lost and the analyzer sent it again (LIS01-A2 8.3.3).
      sink_.on_notice(LinkNotice::DuplicateFrame, frame_start_);
      reply(ctl::kAck);
      state_ = State::RxBetweenFrames;
      sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
      return;
    }
    if (!options_.accept_any_frame_number) {
      refuse_frame(Errc::BadFrameNumber,
                   fmt::format("frame number {} where {} was expected", fn, expected_fn_));
      return;
    }
    sink_.on_notice(LinkNotice::AcceptedFrameNumber, frame_start_);
  }
  const bool is_final = frame_.back() == ctl::kEtx;
  std::string_view text(frame_);
  text = text.substr(text_start, text.size() - text_start - 1);
  state_ = State::RxBetweenFrames;
  assembler_.append(text, frame_start_ + 1 + text_start);
  if (is_final) {
    assembler_.end_record(offset_);
  }
  last_frame_.swap(frame_);  // frame_ is done with; the next STX clears it
  if (fn >= 0) {
    last_fn_ = fn;
    expected_fn_ = (fn + 1) % 8;
  } else {
    expected_fn_ = (expected_fn_ + 1) % 8;
  }
  if (state_ != State::RxBetweenFrames) {
    return;  // refuse_message() was called from inside on_message
  }
  if (held_messages_ > 0) {
    state_ = State::RxAwaitCommit;
    sink_.on_cancel_timer(LinkTimer::Phase);
    return;
  }
  reply(ctl::kAck);
  sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
}

void E1381Link::refuse_frame(Errc code, std::string_view why) {
  sink_.on_error(
      {make_error_code(code), fmt::format("frame at byte {}: {}", frame_start_, why), frame_start_},
      frame_);
  reply(ctl::kNak);
  state_ = State::RxBetweenFrames;
  sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
}

void E1381Link::reply(char control) {
  sink_.on_write(std::string_view(&control, 1));
}

void E1381Link::acknowledge_message() {
  if (held_messages_ == 0) {
    return;
  }
  --held_messages_;
  if (held_messages_ == 0 && state_ == State::RxAwaitCommit) {
    state_ = State::RxBetweenFrames;
    reply(ctl::kAck);
    sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
  }
}

void E1381Link::refuse_message() {
  if (held_messages_ == 0) {
    return;
  }
  held_messages_ = 0;
  // Stay silent: the analyzer's frame timer expires, it sends EOT and resends the message later.
  state_ = State::RxRefused;
  sink_.on_arm_timer(LinkTimer::Phase, options_.receive_timeout);
}

void E1381Link::end_receiving(MessageEnd why) {
  assembler_.flush(why, offset_);
  sink_.on_cancel_timer(LinkTimer::Phase);
  to_idle();
  if (!outbound_.empty() && !is_backoff_running_) {
    start_establishment();
  }
}

void E1381Link::to_idle() {
  state_ = State::Idle;
}

void E1381Link::finish() {
  if (options_.mode == LinkMode::E1381) {
    if (state_ == State::RxTrailer && options_.accept_lenient_frame_trailer) {
      sink_.on_notice(LinkNotice::AcceptedLenientTrailer, offset_);
      complete_frame();
    } else if (state_ == State::RxFrame || state_ == State::RxChecksum ||
               state_ == State::RxTrailer) {
      sink_.on_error({make_error_code(Errc::MalformedFrame),
                      fmt::format("frame at byte {} cut by the end of the stream", frame_start_),
                      frame_start_},
                     frame_);
    }
  }
  assembler_.flush(MessageEnd::EndOfStream, offset_);
  held_messages_ = 0;
  to_idle();
  while (!outbound_.empty()) {
    auto id = outbound_.front().id;
    outbound_.pop_front();
    sink_.on_sent(id, make_error_code(Errc::LinkClosed));
  }
}

void E1381Link::on_timeout(LinkTimer timer) {
  if (timer == LinkTimer::SendBackoff) {
    is_backoff_running_ = false;
    if (state_ == State::Idle && !outbound_.empty()) {
      start_establishment();
    }
    return;
  }
  switch (state_) {
    case State::RxBetweenFrames:
    case State::RxFrame:
    case State::RxChecksum:
    case State::RxTrailer:
    case State::RxRefused:
      sink_.on_error(
          {make_error_code(Errc::ReceiveTimeout),
           fmt::format("no frame or EOT within {} ms", options_.receive_timeout.count()), offset_},
          {});
      end_receiving(MessageEnd::Timeout);
      break;
    case State::TxAwaitEnqReply:
      if (enq_attempts_ >= options_.max_enq_attempts) {
        enq_attempts_ = 0;
        abort_transfer(make_error_code(Errc::EstablishmentTimeout));
      } else {
        reply(ctl::kEot);
        to_idle();
        schedule_backoff(options_.busy_backoff);
      }
      break;
    case State::TxAwaitFrameReply:
      abort_transfer(make_error_code(Errc::ReplyTimeout));
      break;
    case State::Idle:
    case State::RxAwaitCommit:
      break;
  }
}

std::uint64_t E1381Link::send(std::string records) {
  if (outbound_.size() >= options_.max_outbound_messages || records.empty()) {
    return 0;
  }
  if (records.back() != ctl::kCr) {
    records.push_back(ctl::kCr);
  }
  const auto id = next_id_++;
  if (options_.mode == LinkMode::Bare) {
    sink_.on_write(records);
    sink_.on_sent(id, {});
    return id;
  }
  outbound_.push_back({id, std::move(records)});
  if (state_ == State::Idle && !is_backoff_running_) {
    start_establishment();
  }
  return id;
}

void E1381Link::start_establishment() {
  ++enq_attempts_;
  reply(ctl::kEnq);
  state_ = State::TxAwaitEnqReply;
  sink_.on_arm_timer(LinkTimer::Phase, options_.establishment_timeout);
}

void E1381Link::on_enq_reply(char c) {
  if (c == ctl::kAck) {
    enq_attempts_ = 0;
    send_fn_ = 1;
    send_next_frame();
    return;
  }
  sink_.on_cancel_timer(LinkTimer::Phase);
  to_idle();
  if (c == ctl::kEnq) {
    // Contention: the analyzer has priority (LIS01-A2 8.2.7). Wait for its next ENQ, and do
    // not bid again before the computer system's back-off.
    sink_.on_notice(LinkNotice::Contention, offset_);
    enq_attempts_ = 0;
    schedule_backoff(options_.contention_backoff);
    return;
  }
  // NAK, or any other reply, means busy.
  if (enq_attempts_ >= options_.max_enq_attempts) {
    enq_attempts_ = 0;
    auto id = outbound_.front().id;
    outbound_.pop_front();
    sink_.on_sent(id, make_error_code(Errc::PeerBusy));
  }
  if (!outbound_.empty()) {
    schedule_backoff(options_.busy_backoff);
  }
}

void E1381Link::send_next_frame() {
  const Outgoing& message = outbound_.front();
  const std::string_view records(message.records);
  const std::size_t start = message.next_offset;
  std::size_t record_end = records.find(ctl::kCr, start);
  record_end = record_end == std::string_view::npos ? records.size() : record_end + 1;
  const std::size_t stop = std::min(record_end, start + options_.send_frame_text);
  frame_out_.clear();
  encode_frame(send_fn_, records.substr(start, stop - start), stop == record_end, frame_out_);
  pending_end_ = stop;
  transmissions_ = 1;
  state_ = State::TxAwaitFrameReply;
  sink_.on_write(frame_out_);
  sink_.on_arm_timer(LinkTimer::Phase, options_.reply_timeout);
}

void E1381Link::on_frame_reply(char c) {
  const bool is_interrupt = c == ctl::kEot;
  if (c != ctl::kAck && !is_interrupt) {
    if (transmissions_ >= options_.max_frame_transmissions) {
      abort_transfer(make_error_code(Errc::RetryLimitReached));
      return;
    }
    ++transmissions_;
    sink_.on_notice(LinkNotice::FrameSentAgain, offset_);
    sink_.on_write(frame_out_);
    sink_.on_arm_timer(LinkTimer::Phase, options_.reply_timeout);
    return;
  }
  Outgoing& message = outbound_.front();
  message.next_offset = pending_end_;
  send_fn_ = (send_fn_ + 1) % 8;
  const bool is_message_done = message.next_offset >= message.records.size();
  if (is_message_done) {
    auto id = message.id;
    outbound_.pop_front();
    sink_.on_sent(id, {});
  }
  if (is_interrupt) {
    sink_.on_notice(LinkNotice::ReceiverInterrupt, offset_);
  }
  if (is_interrupt && options_.honour_receiver_interrupt) {
    if (!is_message_done) {
      outbound_.front().next_offset = 0;  // the analyzer drops a partial message: start over
    }
    reply(ctl::kEot);
    sink_.on_cancel_timer(LinkTimer::Phase);
    to_idle();
    schedule_backoff(options_.interrupt_backoff);
    return;
  }
  if (!outbound_.empty()) {
    send_next_frame();
    return;
  }
  reply(ctl::kEot);
  sink_.on_cancel_timer(LinkTimer::Phase);
  to_idle();
}

void E1381Link::abort_transfer(std::error_code result) {
  reply(ctl::kEot);
  sink_.on_cancel_timer(LinkTimer::Phase);
  to_idle();
  if (!outbound_.empty()) {
    auto id = outbound_.front().id;
    outbound_.pop_front();
    sink_.on_sent(id, result);
  }
  if (!outbound_.empty()) {
    schedule_backoff(options_.busy_backoff);
  }
}

void E1381Link::schedule_backoff(milliseconds after) {
  is_backoff_running_ = true;
  sink_.on_arm_timer(LinkTimer::SendBackoff, after);
}

void E1381Link::on_message(std::string_view records, MessageEnd end, std::size_t stream_offset) {
  if (options_.mode == LinkMode::E1381 && options_.defer_message_ack &&
      end == MessageEnd::Terminated) {
    ++held_messages_;
  }
  sink_.on_message(records, end, stream_offset);
}

void E1381Link::on_discarded(const ParseError& why, std::string_view raw) {
  sink_.on_error(why, raw);
}

}  // namespace hemalink::astm
