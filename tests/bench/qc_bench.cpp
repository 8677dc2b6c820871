// What quality control costs on the ingest path (scripts/dev.sh bench): the same generated
// Sysmex XN CBC messages read (decode, translate, decide with the shipped CBC rules) without QC
// and with it (every CBC test under QC with a defined control, so every patient result meets the
// gate and the rules read qc_status; Bull's XbarM on MCV, MCH and MCHC); a control result judged
// by the Westgard rules; a patient result added to its XbarM. The difference of the first two,
// per message, against the message's whole processing (its read here, and the ACK latency the
// daemon benchmark measures) is the figure the issue asks for: under 1 %.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "server/config/mapping_json.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/ingest/rules_decider.hpp"
#include "server/qc/control_book.hpp"
#include "server/rules/rule_files.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::bench {
namespace {

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

const char* const kCbcTests[] = {
    "WBC",       "RBC",      "HGB",      "HCT",       "MCV",      "MCH",     "MCHC",     "PLT",
    "RDW_SD",    "RDW_CV",   "NEUT_ABS", "LYMPH_ABS", "MONO_ABS", "EO_ABS",  "BASO_ABS", "NEUT_PCT",
    "LYMPH_PCT", "MONO_PCT", "EO_PCT",   "BASO_PCT",  "RET_ABS",  "RET_PCT", "PDW",      "MPV",
    "P_LCR",     "PCT",      "IG_ABS",   "IG_PCT",    "NRBC_ABS", "NRBC_PCT"};

// Every CBC test of xn-1 under QC, judged in control just now.
std::shared_ptr<qc::ControlBook> book_in_control(std::chrono::system_clock::time_point at) {
  qc::ControlDefinitions d;
  for (const auto* test : kCbcTests) {
    d.controls.push_back(
        {{"xn-1", test, "XN-CHECK", "1", "4411"}, qc::ControlTarget{10, 1}, 0, "QC-L1"});
  }
  auto book = std::make_shared<qc::ControlBook>(std::move(d), qc::QcPolicy{});
  model::ResultSet control;
  control.kind = model::SpecimenKind::QualityControl;
  control.specimen_id = "QC-L1";
  for (const auto* test : kCbcTests) {
    model::Observation o;
    o.code = test;
    o.numeric = 10.1;
    o.value = "10.1";
    o.measured_at = "20261207080000";
    control.observations.push_back(o);
  }
  records::Receipt r;
  r.id = model::MessageId::generate();
  r.analyzer = "xn-1";
  r.received_at = at;
  book->judge(r, control, 0);
  return book;
}

ingest::MessageReader reader(std::shared_ptr<qc::ControlBook> qc) {
  auto rules = rules::load_rule_files({kRules / "cbc.json"});
  ingest::MessageReader out(ingest::rules_decider(*rules, nullptr));
  auto mappings = config::load_mappings("sysmex-xn", "", "");
  out.add_analyzer("xn-1", drivers::make_driver("sysmex-xn", {*mappings, {}, {}}));
  if (qc) {
    out.set_quality_control(std::move(qc), {});
  }
  return out;
}

std::vector<records::Receipt> receipts(std::chrono::system_clock::time_point at) {
  std::vector<records::Receipt> out;
  for (auto& raw : simulate::astm_cbc_messages(200, 11)) {
    records::Receipt r;
    r.id = model::MessageId::generate();
    r.analyzer = "xn-1";
    r.driver = "sysmex-xn";
    r.protocol = model::WireProtocol::Astm;
    r.received_at = at;
    r.raw = std::move(raw);
    out.push_back(std::move(r));
  }
  return out;
}

// Each iteration reads fresh receipts (new IDs): a message already averaged would add nothing.
void read_messages(benchmark::State& state, bool with_qc) {
  const auto now = std::chrono::system_clock::now();
  const auto r = reader(with_qc ? book_in_control(now) : nullptr);
  std::size_t results = 0;
  std::size_t messages = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto batch = receipts(now);
    state.ResumeTiming();
    for (const auto& receipt : batch) {
      auto content = r.read(receipt);
      for (const auto& set : content.result_sets) {
        results += set.observations.size();
      }
      ++messages;
      benchmark::DoNotOptimize(content);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["results_per_message"] =
      static_cast<double>(results) / static_cast<double>(messages ? messages : 1);
}

void BM_ReadXnCbc_WithoutQc(benchmark::State& state) {
  read_messages(state, false);
}
void BM_ReadXnCbc_WithQc(benchmark::State& state) {
  read_messages(state, true);
}

// One control result of a level judged within its run and against twelve earlier runs.
void BM_WestgardJudgeOneControl(benchmark::State& state) {
  qc::ControlDefinitions d;
  d.controls.push_back(
      {{"xn-1", "WBC", "XN-CHECK", "1", "4411"}, qc::ControlTarget{7.0, 0.2}, 0, ""});
  qc::ControlBook book(std::move(d), qc::QcPolicy{});
  auto at = std::chrono::system_clock::now();
  model::ResultSet control;
  control.kind = model::SpecimenKind::QualityControl;
  control.specimen_id = "QC-1";
  control.qc_level = "1";
  control.qc_lot = "4411";
  control.qc_material = "XN-CHECK";
  control.observations.resize(1);
  control.observations[0].code = "WBC";
  std::int64_t n = 0;
  records::Receipt r;
  r.analyzer = "xn-1";
  for (auto _ : state) {
    at += std::chrono::hours(8);
    r.received_at = at;
    auto& o = control.observations[0];
    o.numeric = 7.0 + 0.2 * static_cast<double>((n * 7) % 5 - 2) / 2;
    o.measured_at = std::to_string(n++);
    benchmark::DoNotOptimize(book.judge(r, control, 0));
  }
  state.SetItemsProcessed(n);
}

// One patient message's MCV, MCH and MCHC added to their XbarMs (a point every 20th).
void BM_XbarmAddOnePatient(benchmark::State& state) {
  qc::ControlBook book({}, qc::QcPolicy{});
  std::vector<model::ResultSet> message(1);
  auto& patient = message.front();
  for (const auto& [code, value] : {std::pair{"MCV", 89.5}, {"MCH", 30.5}, {"MCHC", 34.0}}) {
    model::Observation o;
    o.code = code;
    o.numeric = value;
    patient.observations.push_back(o);
  }
  records::Receipt r;
  r.analyzer = "xn-1";
  std::int64_t n = 0;
  for (auto _ : state) {
    r.id = model::MessageId::generate();  // a new measurement each time (no time given)
    patient.observations[0].numeric = 85.0 + static_cast<double>(n++ % 10);
    benchmark::DoNotOptimize(book.average(r, message));
  }
  state.SetItemsProcessed(n);
}

BENCHMARK(BM_ReadXnCbc_WithoutQc)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReadXnCbc_WithQc)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WestgardJudgeOneControl);
BENCHMARK(BM_XbarmAddOnePatient);

}  // namespace
}  // namespace hemalink::bench

BENCHMARK_MAIN();
