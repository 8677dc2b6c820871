#include "tests/support/link_recorder.hpp"

#include "protocols/common/visible_bytes.hpp"

#include <fmt/format.h>

namespace hemalink::testing {

std::string visible(std::string_view bytes) {
  return visible_bytes(bytes, bytes.size());
}

namespace {
const char* timer_name(astm::LinkTimer t) {
  return t == astm::LinkTimer::Phase ? "Phase" : "SendBackoff";
}
}  // namespace

void LinkRecorder::on_write(std::string_view bytes) {
  written.append(bytes);
  log.push_back("write " + visible(bytes));
}

void LinkRecorder::on_arm_timer(astm::LinkTimer timer, astm::milliseconds after) {
  armed = fmt::format("{} {}ms", timer_name(timer), after.count());
  log.push_back("arm " + armed);
}

void LinkRecorder::on_cancel_timer(astm::LinkTimer timer) {
  log.push_back(fmt::format("cancel {}", timer_name(timer)));
}

void LinkRecorder::on_message(std::string_view records, astm::MessageEnd end, std::size_t offset) {
  messages.emplace_back(records);
  message_ends.push_back(end);
  log.push_back(fmt::format("message@{} {} {}", offset, astm::to_string(end), visible(records)));
}

void LinkRecorder::on_error(const ParseError& error, std::string_view) {
  errors.push_back(error.code);
  log.push_back(fmt::format("error {} @{}", error.code.message(), error.byte_offset));
}

void LinkRecorder::on_notice(astm::LinkNotice notice, std::size_t offset) {
  notices.push_back(notice);
  log.push_back(fmt::format("notice {} @{}", astm::to_string(notice), offset));
}

void LinkRecorder::on_sent(std::uint64_t id, std::error_code result) {
  sent.emplace_back(id, result);
  log.push_back(fmt::format("sent {} {}", id, result ? result.message() : "ok"));
}

std::string LinkRecorder::take_written() {
  std::string out = visible(written);
  written.clear();
  return out;
}

std::string LinkRecorder::log_without_timers() const {
  std::string out;
  for (const auto& line : log) {
    if (!line.starts_with("arm ") && !line.starts_with("cancel ")) {
      out += line + "\n";
    }
  }
  return out;
}

std::string frame(int number, std::string_view text, bool is_final) {
  std::string out;
  astm::encode_frame(number, text, is_final, out);
  return out;
}

}  // namespace hemalink::testing
