#include "server/session/message_log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace hemalink::session {
namespace {

std::string milliseconds(double seconds) {
  return seconds < 0 ? std::string("-") : fmt::format("{:.2f} ms", seconds * 1000);
}

std::string stages(const metrics::MessageTimes& t) {
  return fmt::format(" (read {}, commit {}, answer {})",
                     milliseconds(metrics::seconds_between(t.received, t.read)),
                     milliseconds(metrics::seconds_between(t.read, t.committed)),
                     milliseconds(metrics::seconds_between(t.committed, t.answered)));
}

}  // namespace

void log_message(const std::string& analyzer, const std::string& peer, const std::string& id,
                 const store::Completion& completion, const metrics::MessageTimes& times) {
  const auto level =
      completion.outcome == store::StoreOutcome::Failed ? spdlog::level::warn : spdlog::level::info;
  if (!spdlog::should_log(level)) {
    return;
  }
  const auto total = milliseconds(metrics::seconds_between(times.received, times.answered));
  const auto detail = spdlog::should_log(spdlog::level::debug) ? stages(times) : std::string();
  const auto* outcome = store::to_string(completion.outcome);
  const auto& why = completion.outcome == store::StoreOutcome::Failed ? completion.failure.detail
                                                                      : completion.detail;
  if (!completion.content) {
    spdlog::log(level, "{} {} message {}: {}, answered in {}{}{}{}", analyzer, peer, id, outcome,
                total, detail, why.empty() ? "" : "; ", why);
    return;
  }
  const auto& s = *completion.content;
  spdlog::log(level,
              "{} {} message {} {}: specimens [{}], {} results, {} released, {} held, {} other, "
              "{} of controls; "
              "{}, answered in {}{}{}{}{}{}",
              analyzer, peer, id, records::to_string(s.status), s.specimens, s.results, s.released,
              s.held, s.other, s.controls, outcome, total, detail, s.reason.empty() ? "" : "; ",
              s.reason, why.empty() ? "" : "; ", why);
}

}  // namespace hemalink::session
