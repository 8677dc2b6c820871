#include "server/api/presence_board.hpp"

#include <nlohmann/json.hpp>

namespace hemalink::api {
namespace {

using nlohmann::json;

json id_or_null(const std::optional<long long>& id) {
  return id ? json(*id) : json(nullptr);
}

}  // namespace

Result<PresenceClaim, std::string> presence_claim(std::string_view message) {
  const auto m = json::parse(message, nullptr, false);
  if (m.is_discarded() || !m.is_object())
    return std::string("not a JSON object");
  if (m.value("type", json()) != "presence")
    return std::string("type: expected \"presence\"");
  for (const auto& [key, value] : m.items()) {
    if (key != "type" && key != "specimen_row_id")
      return "unknown key \"" + key + "\"";
  }
  if (!m.contains("specimen_row_id"))
    return std::string("specimen_row_id: required (null when no specimen is open)");
  const auto& id = m["specimen_row_id"];
  if (id.is_null())
    return PresenceClaim{};
  if (!id.is_number_integer() || id.get<long long>() <= 0)
    return "specimen_row_id: expected a specimen's row ID or null, got " + id.dump();
  return PresenceClaim{id.get<long long>()};
}

std::uint64_t PresenceBoard::join(const std::string& user) {
  std::lock_guard lock(mutex_);
  const auto session = ++last_session_;
  sessions_[session] = {user, std::nullopt};
  return session;
}

void PresenceBoard::open(std::uint64_t session, std::optional<long long> specimen_row_id) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(session);
  if (it == sessions_.end() || it->second.specimen_row_id == specimen_row_id)
    return;
  it->second.specimen_row_id = specimen_row_id;
  publish(session, it->second);
}

void PresenceBoard::leave(std::uint64_t session) {
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(session);
  if (it == sessions_.end())
    return;
  if (it->second.specimen_row_id)
    publish(session, {it->second.user, std::nullopt});
  sessions_.erase(it);
}

std::string PresenceBoard::snapshot(std::uint64_t session) const {
  std::lock_guard lock(mutex_);
  json present = json::array();
  for (const auto& [id, p] : sessions_) {
    if (p.specimen_row_id) {
      present.push_back(
          {{"user", p.user}, {"session", id}, {"specimen_row_id", *p.specimen_row_id}});
    }
  }
  return json{{"type", "presence_snapshot"}, {"session", session}, {"present", present}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

void PresenceBoard::publish(std::uint64_t session, const Present& p) {
  hub_.publish(
      "presence",
      {{"user", p.user}, {"session", session}, {"specimen_row_id", id_or_null(p.specimen_row_id)}});
}

}  // namespace hemalink::api
