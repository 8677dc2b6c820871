#pragma once

#include <memory>
#include <string>

#include "server/api/event_hub.hpp"
#include "server/lis/outbox.hpp"
#include "server/store/store.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::api {

// What the daemon tells the live events (GET /api/v1/events). Types:
//   message                 a message completed: analyzer, message_id, outcome, specimens, results
//   decision                the decisions on its results: released, held, other (rerun, reject)
//   held                    some of its results wait for a technologist: held, specimens
//   released|rerun|rejected a technologist's decision (API): result_id, specimen_row_id, code,
//                           decided_by, decided_at, reason
//   presence                a technologist's page has a specimen open, or no longer (null):
//                           user, session, specimen_row_id (PresenceBoard)
//   delivered|dead          an outbox row the LIS acknowledged, or gave up on: destination,
//                           outbox_id, specimen_id, control_id
//   analyzer_connected|analyzer_disconnected   analyzer, peer
//   qc                      a control result judged: analyzer, test, level, lot, value, z, phase,
//                           run_rejected, violations
//   qc_alarm                a patient-based average out of its limits: analyzer, test, method,
//                           value, low, high, acts_on_gate

void publish_completion(EventHub& hub, const records::Receipt& receipt,
                        const store::Completion& completion);
/// After a message's commit: each control result judged ("qc": its run's verdict and the rules
/// violated) and each patient average out of its limits ("qc_alarm").
void publish_quality_control(EventHub& hub, const records::Receipt& receipt,
                             const records::MessageContent& content);
/// The store's hooks that publish what happens to each message: its completion, and after its
/// commit its quality control.
store::CompletionHook publish_completions(std::shared_ptr<EventHub> hub);
store::CommitHook publish_quality_control(std::shared_ptr<EventHub> hub);

void publish_connection(EventHub& hub, const std::string& analyzer, const std::string& peer,
                        bool is_open);
void publish_settled(EventHub& hub, const std::string& destination, const lis::ClaimedRow& row,
                     bool is_delivered);

}  // namespace hemalink::api
