#include "server/api/lab_events.hpp"

#include <nlohmann/json.hpp>

#include "server/store/message_counts.hpp"

namespace hemalink::api {
namespace {

nlohmann::json specimen_list(const std::string& comma_separated) {
  auto list = nlohmann::json::array();
  std::size_t at = 0;
  while (at < comma_separated.size()) {
    const auto comma = comma_separated.find(',', at);
    const auto end = comma == std::string::npos ? comma_separated.size() : comma;
    list.push_back(comma_separated.substr(at, end - at));
    at = end + 1;
  }
  return list;
}

}  // namespace

void publish_completion(EventHub& hub, const records::Receipt& receipt,
                        const store::Completion& completion) {
  if (receipt.direction != records::Direction::In)
    return;
  nlohmann::json message = {{"analyzer", receipt.analyzer},
                            {"message_id", receipt.id.to_string()},
                            {"protocol", to_string(receipt.protocol)},
                            {"outcome", store::outcome_label(completion)}};
  const auto& c = completion.content;
  if (c) {
    message["specimens"] = specimen_list(c->specimens);
    message["results"] = c->results;
  }
  hub.publish("message", message);
  if (!c || c->results == 0 || completion.outcome != store::StoreOutcome::Stored)
    return;
  hub.publish("decision", {{"analyzer", receipt.analyzer},
                           {"message_id", receipt.id.to_string()},
                           {"specimens", specimen_list(c->specimens)},
                           {"released", c->released},
                           {"held", c->held},
                           {"other", c->other},
                           {"controls", c->controls}});
  if (c->held > 0) {
    hub.publish("held", {{"analyzer", receipt.analyzer},
                         {"message_id", receipt.id.to_string()},
                         {"specimens", specimen_list(c->specimens)},
                         {"held", c->held}});
  }
}

void publish_quality_control(EventHub& hub, const records::Receipt& receipt,
                             const records::MessageContent& content) {
  for (const auto& j : content.control_judgements) {
    nlohmann::json violations = nlohmann::json::array();
    for (const auto& v : j.violations) {
      violations.push_back({{"rule", v.rule}, {"detail", v.detail}});
    }
    hub.publish("qc", {{"analyzer", receipt.analyzer},
                       {"test", j.test},
                       {"level", j.level},
                       {"lot", j.lot},
                       {"value", j.value},
                       {"z", j.z ? nlohmann::json(*j.z) : nlohmann::json(nullptr)},
                       {"phase", j.is_establishing ? "establishing" : "judged"},
                       {"run_rejected", j.run_rejected},
                       {"violations", violations}});
  }
  for (const auto& p : content.average_points) {
    if (p.is_excursion) {
      hub.publish("qc_alarm", {{"analyzer", receipt.analyzer},
                               {"test", p.test},
                               {"method", p.method},
                               {"value", p.value},
                               {"low", p.low},
                               {"high", p.high},
                               {"outside_points", p.outside},
                               {"acts_on_gate", p.acts_on_gate}});
    }
  }
}

void publish_connection(EventHub& hub, const std::string& analyzer, const std::string& peer,
                        bool is_open) {
  hub.publish(is_open ? "analyzer_connected" : "analyzer_disconnected",
              {{"analyzer", analyzer}, {"peer", peer}});
}

void publish_settled(EventHub& hub, const std::string& destination, const lis::ClaimedRow& row,
                     bool is_delivered) {
  hub.publish(is_delivered ? "delivered" : "dead", {{"destination", destination},
                                                    {"outbox_id", row.id},
                                                    {"specimen_id", row.specimen_id},
                                                    {"control_id", row.control_id}});
}

store::CompletionHook publish_completions(std::shared_ptr<EventHub> hub) {
  return [hub = std::move(hub)](const records::Receipt& receipt, const store::Completion& done) {
    publish_completion(*hub, receipt, done);
  };
}

store::CommitHook publish_quality_control(std::shared_ptr<EventHub> hub) {
  return [hub = std::move(hub)](const store::StoreRequest& request) {
    publish_quality_control(*hub, request.receipt, *request.content);
  };
}

}  // namespace hemalink::api
