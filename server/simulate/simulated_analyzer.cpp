#include "server/simulate/simulated_analyzer.hpp"

#include <fmt/format.h>

#include "protocols/common/charset.hpp"
#include "protocols/hl7/v2_ack.hpp"

namespace hemalink::simulate {
namespace {

constexpr char kStx = 0x02;
constexpr char kEtx = 0x03;

astm::LinkOptions analyzer_link(const AnalyzerSettings& s) {
  astm::LinkOptions o;
  o.mode = s.link;
  // LIS01-A2 8.2.7: on contention the instrument keeps its turn and bids again after 1 s.
  o.contention_backoff = std::chrono::milliseconds(1000);
  return o;
}

// MSH-10 of an HL7 message: the 10th field counting MSH-1 (the separator) as the first.
std::string control_id_of(std::string_view message) {
  message = without_byte_order_mark(message);
  if (message.size() < 4) {
    return {};
  }
  const char sep = message[3];
  const auto segment_end = message.find_first_of("\r\n");
  const auto msh = message.substr(0, segment_end);
  std::size_t field = 1;
  std::size_t start = 3;
  for (std::size_t i = 3; i <= msh.size(); ++i) {
    if (i == msh.size() || msh[i] == sep) {
      if (field == 10) {
        return std::string(msh.substr(start + 1, i - start - 1));
      }
      ++field;
      start = i;
    }
  }
  return {};
}

// MSH-9 ACK or ORL (and a BOM before MSH is no matter).
bool is_acknowledgement(std::string_view message) {
  message = without_byte_order_mark(message);
  if (message.size() < 4 || !message.starts_with("MSH")) {
    return false;
  }
  const auto msh = message.substr(0, message.find_first_of("\r\n"));
  std::size_t field = 1;
  for (std::size_t i = 3; i < msh.size(); ++i) {
    if (msh[i] == message[3] && ++field == 9) {
      const auto type = msh.substr(i + 1, 3);
      return type == "ACK" || type == "ORL";
    }
  }
  return false;
}

}  // namespace

bool expects_no_answer(std::string_view hl7_message) {
  if (is_acknowledgement(hl7_message))
    return true;
  const auto asked = hl7::AckContext::from_raw(without_byte_order_mark(hl7_message));
  return asked.is_enhanced_mode && !hl7::is_wanted(asked.accept, hl7::AckOutcome::Accepted) &&
         !hl7::is_wanted(asked.application, hl7::AckOutcome::Accepted);
}

namespace {

std::string field_of(std::string_view segment, char sep, std::size_t n) {
  std::size_t field = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= segment.size(); ++i) {
    if (i == segment.size() || segment[i] == sep) {
      if (field == n) {
        return std::string(segment.substr(start, i - start));
      }
      ++field;
      start = i + 1;
    }
  }
  return {};
}

}  // namespace

const char* to_string(Answer answer) {
  switch (answer) {
    case Answer::Acknowledged:
      return "acknowledged";
    case Answer::Rejected:
      return "rejected";
    case Answer::Written:
      return "written";
    case Answer::Unacknowledged:
      return "unacknowledged";
  }
  return "?";
}

std::string with_cr_records(std::string_view records) {
  std::string out;
  out.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const char c = records[i];
    if (c == '\r' && i + 1 < records.size() && records[i + 1] == '\n') {
      continue;  // CR LF: the LF makes the CR
    }
    out.push_back(c == '\n' ? '\r' : c);
  }
  if (!out.empty() && out.back() != '\r') {
    out.push_back('\r');
  }
  return out;
}

SimulatedAnalyzer::SimulatedAnalyzer(AnalyzerSettings settings, Io& io)
    : settings_(settings), io_(io), link_(analyzer_link(settings), *this), framer_({}, *this) {}

void SimulatedAnalyzer::send(std::size_t index, std::string message) {
  current_ = index;
  if (settings_.protocol == model::WireProtocol::Hl7) {
    hl7_message_ = std::move(message);
    control_id_ = control_id_of(hl7_message_);
    sends_ = 0;
    if (expects_no_answer(hl7_message_)) {
      std::string framed;  // an acknowledgement, or nothing asked for: nothing to wait for
      hl7::mllp_wrap(hl7_message_, framed);
      io_.write(framed);
      io_.on_last_byte(index);
      answer(Answer::Written, "");
      return;
    }
    send_hl7();
    return;
  }
  is_query_ = message.find("\rQ|") != std::string::npos;
  if (settings_.link == astm::LinkMode::Bare) {
    io_.write(message);
    io_.on_last_byte(index);
    answer(Answer::Written, "");
    return;
  }
  link_.send(std::move(message));
}

void SimulatedAnalyzer::send_hl7() {
  ++sends_;
  std::string framed;
  hl7::mllp_wrap(hl7_message_, framed);
  io_.write(framed);
  io_.on_last_byte(*current_);
  io_.arm_timer(astm::LinkTimer::Phase, settings_.ack_timeout);
}

void SimulatedAnalyzer::feed(ByteView bytes) {
  if (settings_.protocol == model::WireProtocol::Hl7) {
    framer_.feed(bytes);
  } else {
    link_.feed(bytes);
  }
}

void SimulatedAnalyzer::on_timeout(astm::LinkTimer timer) {
  if (settings_.protocol != model::WireProtocol::Hl7) {
    link_.on_timeout(timer);
    return;
  }
  if (!current_) {
    return;
  }
  if (is_waiting_to_resend_) {
    is_waiting_to_resend_ = false;
    ++counts_.resends;
    send_hl7();
    return;
  }
  if (sends_ >= settings_.max_sends) {
    answer(Answer::Unacknowledged, fmt::format("no ACK after {} sends", sends_));
    return;
  }
  ++counts_.resends;
  send_hl7();
}

bool SimulatedAnalyzer::is_idle() const {
  if (settings_.protocol == model::WireProtocol::Hl7 || settings_.link == astm::LinkMode::Bare) {
    return !current_;
  }
  return !current_ && link_.is_idle() && link_.outbound_queued() == 0;
}

void SimulatedAnalyzer::answer(Answer a, std::string_view detail) {
  const auto index = *current_;
  current_.reset();
  io_.on_answer(index, a, detail);
}

// Frames come from the link whole: STX FN text ETB|ETX C1 C2 CR LF.
void SimulatedAnalyzer::on_write(std::string_view bytes) {
  const bool is_frame = bytes.size() > 5 && bytes.front() == kStx;
  const bool is_first_transmission = is_frame && bytes != last_frame_;
  if (is_frame) {
    last_frame_ = bytes;
  }
  if (is_first_transmission && settings_.corrupt_every > 0 &&
      ++frames_ % settings_.corrupt_every == 0) {
    std::string damaged(bytes);
    char& checksum_digit = damaged[damaged.size() - 3];
    checksum_digit = checksum_digit == '0' ? '1' : '0';
    ++counts_.corrupted;
    io_.write(damaged);
  } else {
    io_.write(bytes);
  }
  if (is_frame && bytes[bytes.size() - 5] == kEtx && current_) {
    io_.on_last_byte(*current_);
  }
}

void SimulatedAnalyzer::on_arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) {
  io_.arm_timer(timer, after);
}

void SimulatedAnalyzer::on_cancel_timer(astm::LinkTimer timer) {
  io_.cancel_timer(timer);
}

void SimulatedAnalyzer::on_message(std::string_view records, astm::MessageEnd, std::size_t) {
  ++counts_.host_messages;
  if (host_replies_.size() < 1000) {
    host_replies_.emplace_back(records);
  }
  io_.on_host_message(records);
  if (is_awaiting_reply_ && current_) {
    is_awaiting_reply_ = false;
    answer(Answer::Acknowledged, "");
  }
}

void SimulatedAnalyzer::on_error(const ParseError&, std::string_view) {
  ++counts_.unexpected;
}

void SimulatedAnalyzer::on_notice(astm::LinkNotice notice, std::size_t) {
  if (notice == astm::LinkNotice::FrameSentAgain) {
    ++counts_.frames_sent_again;
  }
}

void SimulatedAnalyzer::on_sent(std::uint64_t, std::error_code result) {
  if (!current_) {
    return;
  }
  if (result) {
    answer(Answer::Unacknowledged, result.message());
  } else if (is_query_ && settings_.waits_for_query_reply) {
    is_awaiting_reply_ = true;  // answered by the host's reply
  } else {
    answer(Answer::Acknowledged, "");
  }
}

// What the host sends besides acknowledgements is kept (an RSP^K11 answers a query and is also its
// acknowledgement); a work order (LAB-28 OML^O33) is accepted with an ORL^O34, as a LAW analyzer
// does.
void SimulatedAnalyzer::on_message(std::string_view payload, std::size_t) {
  const auto msa_at = payload.find("MSA");
  if (payload.find("|ACK") == std::string_view::npos && host_replies_.size() < 1000) {
    host_replies_.emplace_back(payload);
  }
  if (msa_at == std::string_view::npos && payload.starts_with("MSH") && payload.size() > 4) {
    ++counts_.host_messages;
    std::string reply = fmt::format(
        "MSH|^~\\&|SIMULATOR|LAB|hemalink||20261128000000||ORL^O34^ORL_O34|ORL-{}|P|2.5.1\r"
        "MSA|AA|{}\r",
        counts_.host_messages, control_id_of(payload));
    std::string framed;
    hl7::mllp_wrap(reply, framed);
    io_.write(framed);
    io_.on_host_message(payload);
    return;
  }
  if (!current_ || msa_at == std::string_view::npos || payload.size() < 4) {
    ++counts_.unexpected;
    return;
  }
  const char sep = payload[3];
  auto msa = payload.substr(msa_at);
  msa = msa.substr(0, msa.find_first_of("\r\n"));
  const auto code = field_of(msa, sep, 1);
  const auto acknowledged_id = field_of(msa, sep, 2);
  if (acknowledged_id != control_id_) {
    ++counts_.unexpected;  // an ACK for an earlier send we already gave up on
    return;
  }
  io_.cancel_timer(astm::LinkTimer::Phase);
  if (code == "AA" || code == "CA") {
    answer(Answer::Acknowledged, "");
  } else if (code == "AE" || code == "CE") {
    answer(Answer::Rejected, payload);
  } else if (sends_ < settings_.max_sends) {
    is_waiting_to_resend_ = true;  // AR/CR: the host could not keep it; send again later
    io_.arm_timer(astm::LinkTimer::Phase, settings_.refused_retry);
  } else {
    answer(Answer::Unacknowledged, fmt::format("{} after {} sends", code, sends_));
  }
}

}  // namespace hemalink::simulate
