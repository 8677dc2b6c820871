#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "server/api/lab_routes.hpp"
#include "server/metrics/prometheus_text.hpp"
#include "server/store/store_request.hpp"

namespace hemalink::api {
namespace {

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

void message_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto counts = v.daemon.message_counts();
  p.family("hemalink_messages_total", "counter",
           "Messages received from analyzers, by analyzer, protocol and outcome (stored, "
           "rejected, incomplete, duplicate, already_stored, spooled, failed).");
  for (const auto& [analyzer, c] : counts) {
    for (const auto& [outcome, n] : c.messages)
      p.sample("hemalink_messages_total",
               {{"analyzer", analyzer}, {"protocol", c.protocol}, {"outcome", outcome}},
               static_cast<double>(n));
  }
  p.family("hemalink_results_total", "counter",
           "Results of stored messages by analyzer and the decision made when they arrived "
           "(hold: patients' results held for review; qc: controls' and calibrators' results, "
           "judged by QC).");
  for (const auto& [analyzer, c] : counts) {
    p.sample("hemalink_results_total", {{"analyzer", analyzer}, {"decision", "release"}},
             static_cast<double>(c.results_released));
    p.sample("hemalink_results_total", {{"analyzer", analyzer}, {"decision", "hold"}},
             static_cast<double>(c.results_held));
    p.sample("hemalink_results_total", {{"analyzer", analyzer}, {"decision", "rerun_or_reject"}},
             static_cast<double>(c.results_other));
    p.sample("hemalink_results_total", {{"analyzer", analyzer}, {"decision", "qc"}},
             static_cast<double>(c.results_controls));
  }
  p.family("hemalink_analyzer_last_message_timestamp_seconds", "gauge",
           "When the last message of each analyzer arrived (Unix time).");
  for (const auto& [analyzer, c] : counts) {
    if (c.last_received_at)
      p.sample("hemalink_analyzer_last_message_timestamp_seconds", {{"analyzer", analyzer}},
               seconds_since_epoch(*c.last_received_at));
  }
  p.family("hemalink_rule_firings_total", "counter", "Rule firings on stored results, by rule.");
  for (const auto& [rule, n] : v.rules.firings())
    p.sample("hemalink_rule_firings_total", {{"rule", rule}}, static_cast<double>(n));
  v.timings.write(p);
}

void link_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto notices = v.link_tally.counts();
  p.family("hemalink_link_leniencies_total", "counter",
           "ASTM frames a configured leniency let through that the standard refuses, by analyzer "
           "and leniency.");
  for (const auto& [key, n] : notices) {
    if (astm::is_leniency(key.second))
      p.sample("hemalink_link_leniencies_total",
               {{"analyzer", key.first}, {"leniency", astm::to_string(key.second)}},
               static_cast<double>(n));
  }
  p.family("hemalink_link_events_total", "counter",
           "Other ASTM link events by analyzer and kind (DuplicateFrame: a retransmission of the "
           "last frame; FrameSentAgain: ours, after a NAK or no answer).");
  for (const auto& [key, n] : notices) {
    if (!astm::is_leniency(key.second))
      p.sample("hemalink_link_events_total",
               {{"analyzer", key.first}, {"event", astm::to_string(key.second)}},
               static_cast<double>(n));
  }
  p.family("hemalink_link_errors_total", "counter",
           "ASTM frames NAKed (bad checksum, frame number, framing) and text outside any message, "
           "by analyzer; each is stored as a rejected message.");
  for (const auto& [analyzer, n] : v.link_tally.link_errors())
    p.sample("hemalink_link_errors_total", {{"analyzer", analyzer}}, static_cast<double>(n));
}

void connection_metrics(metrics::PrometheusText& p, const LabView& v) {
  p.family("hemalink_analyzer_connections", "gauge", "Open connections per analyzer.");
  const auto peers = v.daemon.connections();
  for (const auto& a : v.analyzers) {
    const auto it = peers.find(a.name);
    p.sample("hemalink_analyzer_connections", {{"analyzer", a.name}},
             it == peers.end() ? 0.0 : static_cast<double>(it->second.size()));
  }
}

void store_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto h = v.daemon.store_health();
  p.family("hemalink_spool_pending_receipts", "gauge",
           "Receipts in the local spool, not yet in the database.");
  p.sample("hemalink_spool_pending_receipts", {}, static_cast<double>(h.spooled_pending));
  p.family("hemalink_store_degraded", "gauge", "1 while a store writer cannot reach the database.");
  p.sample("hemalink_store_degraded", {}, h.is_degraded ? 1 : 0);
  p.family("hemalink_store_queued_messages", "gauge", "Messages waiting for a store writer.");
  p.sample("hemalink_store_queued_messages", {}, static_cast<double>(h.queued));
  p.family("hemalink_store_spooled_over_budget_total", "counter",
           "Messages spooled because their commit took longer than the ack budget.");
  p.sample("hemalink_store_spooled_over_budget_total", {},
           static_cast<double>(h.spooled_over_budget));
  p.family("hemalink_store_commits_in_doubt_total", "counter",
           "Commits whose outcome was unknown (connection lost during COMMIT), then settled.");
  p.sample("hemalink_store_commits_in_doubt_total", {}, static_cast<double>(h.commits_in_doubt));
}

void lis_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto links = v.daemon.lis();
  p.family("hemalink_lis_connected", "gauge",
           "1 while a connection to the LIS destination is open.");
  for (const auto& l : links)
    p.sample("hemalink_lis_connected", {{"destination", l.name}}, l.is_connected ? 1 : 0);
  const std::pair<const char*, const char*> counters[] = {
      {"hemalink_lis_delivered_total", "Outbox rows the LIS acknowledged."},
      {"hemalink_lis_retries_total", "Attempts refused, timed out or cut off, to be retried."},
      {"hemalink_lis_timeouts_total", "Attempts the LIS did not answer in time."},
      {"hemalink_lis_dead_total", "Rows moved to dead after too many attempts."}};
  for (std::size_t i = 0; i < std::size(counters); ++i) {
    p.family(counters[i].first, "counter", counters[i].second);
    for (const auto& l : links) {
      const auto& c = *l.counters;
      const std::atomic<std::uint64_t>* values[] = {&c.delivered, &c.failed_attempts, &c.timeouts,
                                                    &c.dead};
      p.sample(counters[i].first, {{"destination", l.name}},
               static_cast<double>(values[i]->load()));
    }
  }
  p.family("hemalink_lis_send_seconds", "histogram",
           "From writing a message to the LIS to its acknowledgement.");
  std::vector<double> bounds;
  for (const auto ms : lis::LisCounters::kLatencyBucketsMs) {
    bounds.push_back(ms / 1000);
  }
  for (const auto& l : links) {
    std::vector<std::uint64_t> counts;
    for (const auto& bucket : l.counters->latency_buckets) {
      counts.push_back(bucket.load());
    }
    p.histogram("hemalink_lis_send_seconds", {{"destination", l.name}}, bounds, counts,
                static_cast<double>(l.counters->latency_sum_us.load()) / 1e6);
  }
}

// `rows` (one per destination that has any) and a zero row for each other LIS destination, so
// that every destination has its sample.
template <typename Row>
std::vector<Row> with_every_destination(std::vector<Row> rows, const LabView& v) {
  for (const auto& l : v.daemon.lis()) {
    if (std::none_of(rows.begin(), rows.end(),
                     [&](const auto& r) { return r.destination == l.name; })) {
      Row zero{};
      zero.destination = l.name;
      rows.push_back(std::move(zero));
    }
  }
  return rows;
}

void outbox_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto depths = v.outbox.depths();
  p.family("hemalink_outbox_up", "gauge", "1 when the outbox could be read for these metrics.");
  p.sample("hemalink_outbox_up", {}, depths ? 1 : 0);
  if (!depths)
    return;
  const auto rows = with_every_destination(*depths, v);
  p.family("hemalink_outbox_pending", "gauge", "Outbox rows waiting to be sent, per destination.");
  for (const auto& d : rows)
    p.sample("hemalink_outbox_pending", {{"destination", d.destination}},
             static_cast<double>(d.pending));
  p.family("hemalink_outbox_oldest_pending_age_seconds", "gauge",
           "Age of the oldest pending outbox row, per destination.");
  for (const auto& d : rows)
    p.sample("hemalink_outbox_oldest_pending_age_seconds", {{"destination", d.destination}},
             d.oldest_pending_age_s);
  p.family("hemalink_outbox_dead", "gauge", "Dead outbox rows, per destination.");
  for (const auto& d : rows)
    p.sample("hemalink_outbox_dead", {{"destination", d.destination}}, static_cast<double>(d.dead));
}

// Open order tests whose LIS code the destination's mapping table does not know: they reach no
// analyzer until the table learns the code.
void unmapped_order_metrics(metrics::PrometheusText& p, const LabView& v) {
  const auto counts = v.orders.unmapped_counts();
  p.family("hemalink_order_codes_unmapped_up", "gauge",
           "1 when the unmapped LIS codes could be read for these metrics.");
  p.sample("hemalink_order_codes_unmapped_up", {}, counts ? 1 : 0);
  if (!counts)
    return;
  const auto rows = with_every_destination(*counts, v);
  p.family("hemalink_order_codes_unmapped", "gauge",
           "LIS test codes not in the destination's mapping table with tests still open on them.");
  for (const auto& u : rows)
    p.sample("hemalink_order_codes_unmapped", {{"destination", u.destination}},
             static_cast<double>(u.codes));
  p.family("hemalink_order_tests_unmapped", "gauge",
           "Open order tests whose LIS code is not in the destination's mapping table.");
  for (const auto& u : rows)
    p.sample("hemalink_order_tests_unmapped", {{"destination", u.destination}},
             static_cast<double>(u.tests));
}

}  // namespace

// The QC gate, one-hot per test (a rule alerts on status="out"), and the patient averages'
// excursions.
void qc_metrics(metrics::PrometheusText& p, const LabView& v) {
  p.family("hemalink_qc_gate", "gauge",
           "The QC gate of each analyzer's test under QC: 1 for its status (in, out, unknown).");
  for (const auto& g : v.daemon.qc_gates()) {
    if (!g.state.is_under_qc)
      continue;
    for (const auto status :
         {records::GateStatus::In, records::GateStatus::Out, records::GateStatus::Unknown})
      p.sample("hemalink_qc_gate",
               {{"analyzer", g.analyzer}, {"test", g.test}, {"status", records::to_string(status)}},
               g.state.status == status ? 1 : 0);
  }
  p.family("hemalink_qc_average_excursions_total", "counter",
           "Excursions (alarms) of a patient-based average (xbarm, ma, ewma) since start: points "
           "outside its limits for the configured number in a row.");
  for (const auto& [key, n] : v.daemon.qc_excursions()) {
    const auto& [analyzer, test, method] = key;
    p.sample("hemalink_qc_average_excursions_total",
             {{"analyzer", analyzer}, {"test", test}, {"method", method}}, static_cast<double>(n));
  }
}

void add_metrics_route(Router& router, View view) {
  router.add({"GET", "/metrics", std::nullopt, {}, [view](const RouteCall&) {
                metrics::PrometheusText p;
                p.family("hemalink_start_time_seconds", "gauge",
                         "When this hemalink started (Unix time).");
                p.sample("hemalink_start_time_seconds", {}, seconds_since_epoch(view->started_at));
                message_metrics(p, *view);
                link_metrics(p, *view);
                connection_metrics(p, *view);
                store_metrics(p, *view);
                lis_metrics(p, *view);
                outbox_metrics(p, *view);
                unmapped_order_metrics(p, *view);
                qc_metrics(p, *view);
                ApiResponse r;
                r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                r.body = p.text();
                return r;
              }});
}

}  // namespace hemalink::api
