#include <fmt/chrono.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "server/api/route_params.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

std::string iso8601(std::chrono::system_clock::time_point t) {
  const auto micros = std::chrono::time_point_cast<std::chrono::microseconds>(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", micros);
}

json analyzer_json(const AnalyzerEntry& a, const json& row,
                   const std::map<std::string, store::AnalyzerMessageCounts>& counts,
                   const std::map<std::string, std::vector<std::string>>& peers,
                   const std::map<std::string, std::uint64_t>& link_errors) {
  json out = {{"name", a.name},
              {"driver", a.driver},
              {"protocol", a.protocol},
              {"transport", a.transport},
              {"address", a.address},
              {"model", row.value("model", "")},
              {"serial", row.value("serial", "")},
              {"software_version", row.value("software_version", "")}};
  const auto p = peers.find(a.name);
  out["peers"] = p == peers.end() ? json::array() : json(p->second);
  out["connected"] = p != peers.end() && !p->second.empty();
  out["last_message_at"] = row.contains("last_seen_at") ? row["last_seen_at"] : json(nullptr);
  json messages = json::object();
  json results = {{"release", 0}, {"hold", 0}, {"rerun_or_reject", 0}, {"qc", 0}};
  if (const auto c = counts.find(a.name); c != counts.end()) {
    for (const auto& [outcome, n] : c->second.messages)
      messages[outcome] = n;
    results = {{"release", c->second.results_released},
               {"hold", c->second.results_held},
               {"rerun_or_reject", c->second.results_other},
               {"qc", c->second.results_controls}};
    if (c->second.last_received_at)
      out["last_message_at"] = iso8601(*c->second.last_received_at);
  }
  const auto naks = link_errors.find(a.name);
  out["link_errors_since_start"] = naks == link_errors.end() ? 0 : naks->second;
  out["messages_since_start"] = messages;
  out["results_since_start"] = results;
  return out;
}

}  // namespace

void add_analyzer_routes(Router& router, View view) {
  router.add({"GET",
              "/api/v1/analyzers",
              config::ApiRole::Viewer,
              {"since"},
              [view](const RouteCall& call) -> RouteAnswer {
                HL_TRY(since, time_param(call, "since"));
                HL_TRY(row_text, stored(view->records.analyzer_rows()));
                const auto rows = json::parse(row_text);
                json received = nullptr;
                if (since) {
                  HL_TRY(received_text, stored(view->records.analyzer_messages_since(*since)));
                  received = json::parse(received_text);
                }
                const auto counts = view->daemon.message_counts();
                const auto peers = view->daemon.connections();
                const auto naks = view->link_tally.link_errors();
                json list = json::array();
                for (const auto& a : view->analyzers) {
                  const auto row = rows.contains(a.name) ? rows[a.name] : json::object();
                  list.push_back(analyzer_json(a, row, counts, peers, naks));
                  if (since)
                    list.back()["messages_since"] =
                        received.contains(a.name) ? received[a.name] : json::object();
                }
                return json_response({{"analyzers", list}});
              }});
}

}  // namespace hemalink::api
