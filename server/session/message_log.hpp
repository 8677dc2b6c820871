#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "server/store/stored_message.hpp"

namespace hemalink::session {

/// What the log says about one message: no patient names or birth dates, only specimen IDs,
/// counts and decisions.
struct MessageSummary {
  store::MessageStatus status = store::MessageStatus::Accepted;
  std::string specimens;  ///< Specimen IDs, comma-separated.
  std::size_t results = 0;
  std::size_t released = 0;
  std::size_t held = 0;
  std::size_t other = 0;  ///< Rerun or reject.
  std::string reason;     ///< Why it was rejected, when it was.
};

MessageSummary summarize(const store::MessageContent& content);

/// One info line per message: analyzer, peer, message ID, specimens, result count, decisions,
/// the store's outcome and how long the commit took.
void log_message(const std::string& analyzer, const std::string& peer, const std::string& id,
                 const MessageSummary& summary, const store::Completion& completion,
                 std::chrono::steady_clock::duration commit_latency);

}  // namespace hemalink::session
