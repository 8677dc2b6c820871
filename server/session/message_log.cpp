#include "server/session/message_log.hpp"

#include <spdlog/spdlog.h>

namespace hemalink::session {

MessageSummary summarize(const store::MessageContent& content) {
  MessageSummary s;
  s.status = content.status;
  s.reason = content.reject_reason;
  for (const auto& set : content.result_sets) {
    s.specimens += (s.specimens.empty() ? "" : ",") + set.specimen_id;
    s.results += set.observations.size();
  }
  for (const auto& decisions : content.decisions) {
    for (const auto& d : decisions) {
      if (d.verdict == model::Verdict::Release) {
        ++s.released;
      } else if (d.verdict == model::Verdict::Hold) {
        ++s.held;
      } else {
        ++s.other;
      }
    }
  }
  return s;
}

void log_message(const std::string& analyzer, const std::string& peer, const std::string& id,
                 const MessageSummary& summary, const store::Completion& completion,
                 std::chrono::steady_clock::duration commit_latency) {
  const auto ms = std::chrono::duration<double, std::milli>(commit_latency).count();
  const auto level =
      completion.outcome == store::StoreOutcome::Failed ? spdlog::level::warn : spdlog::level::info;
  spdlog::log(level,
              "{} {} message {} {}: specimens [{}], {} results, {} released, {} held, {} other; "
              "{} in {:.1f} ms{}{}",
              analyzer, peer, id, store::to_string(summary.status), summary.specimens,
              summary.results, summary.released, summary.held, summary.other,
              store::to_string(completion.outcome), ms, summary.reason.empty() ? "" : "; ",
              summary.reason);
}

}  // namespace hemalink::session
