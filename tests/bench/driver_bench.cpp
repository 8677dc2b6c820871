// Driver normalization throughput: decoded messages -> canonical result sets, per driver, on the
// corpus captures and on generated CBC traffic. Parsing is done once, outside the timed loop.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/driver.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/cli/capture_messages.hpp"
#include "server/config/mapping_json.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::bench {
namespace {

using simulate::astm_cbc_messages;
using simulate::hl7_oru_cbc_messages;

// The LOINC CBC table for generic-hl7 (the simulated and published HL7 messages are CBCs).
std::unique_ptr<drivers::Driver> driver(std::string_view name) {
  auto mappings = config::load_mappings(
      name == "generic-hl7" ? "loinc-cbc" : config::default_mapping_base(name), "", "");
  return drivers::make_driver(name, {std::move(*mappings), Charset::Latin1, {}});
}

template <typename Message>
void run(benchmark::State& state, const drivers::Driver& d, const std::vector<Message>& messages) {
  std::size_t sets = 0;
  for (auto _ : state) {
    for (const auto& m : messages) {
      auto t = d.translate(m);
      sets += t->result_sets.size();
      benchmark::DoNotOptimize(t);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(sets));
}

void BM_SysmexXn_CbcResultSets(benchmark::State& state) {
  std::vector<astm::Lis2Message> messages;
  for (auto& text : astm_cbc_messages(200, 7)) {
    messages.push_back(std::move(*astm::Lis2Message::parse(text)));
  }
  run(state, *driver("sysmex-xn"), messages);
}

void BM_GenericHl7_CbcResultSets(benchmark::State& state) {
  std::vector<hl7::V2Message> messages;
  for (auto& text : hl7_oru_cbc_messages(200, 7)) {
    messages.push_back(std::move(*hl7::V2Message::parse(text)));
  }
  run(state, *driver("generic-hl7"), messages);
}

// Every file of ../shared/corpus through its family's driver (sysmex-xn, generic-astm,
// generic-hl7): real messages with their quirks, 26 files.
void BM_Corpus_ResultSets(benchmark::State& state) {
  const char* env = std::getenv("HEMALINK_CORPUS_DIR");
  const std::filesystem::path dir = env != nullptr ? env : "../shared/corpus";
  if (!std::filesystem::is_directory(dir)) {
    state.SkipWithError("corpus not found: set HEMALINK_CORPUS_DIR");
    return;
  }
  auto xn = driver("sysmex-xn");
  auto astm = driver("generic-astm");
  auto hl7 = driver("generic-hl7");
  std::vector<std::pair<const drivers::Driver*, astm::Lis2Message>> astm_messages;
  std::vector<hl7::V2Message> hl7_messages;
  for (const auto& sub : {"astm", "hl7"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir / sub)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      std::vector<std::string> warnings;
      auto captured = cli::read_messages(std::move(content).str(), {}, warnings);
      if (!captured) {
        state.SkipWithError(captured.error().describe().c_str());
        return;
      }
      const bool is_xn = entry.path().filename().string().starts_with("sysmex-x");
      for (auto& m : captured->astm) {
        astm_messages.emplace_back(is_xn ? xn.get() : astm.get(), std::move(m.message));
      }
      for (auto& m : captured->hl7) {
        hl7_messages.push_back(std::move(m.message));
      }
    }
  }
  std::size_t sets = 0;
  std::size_t results = 0;
  for (auto _ : state) {
    for (const auto& [d, m] : astm_messages) {
      auto t = d->translate(m);
      sets += t->result_sets.size();
      for (const auto& set : t->result_sets) {
        results += set.observations.size();
      }
    }
    for (const auto& m : hl7_messages) {
      auto t = hl7->translate(m);
      sets += t->result_sets.size();
      for (const auto& set : t->result_sets) {
        results += set.observations.size();
      }
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(sets));
  state.counters["results/s"] =
      benchmark::Counter(static_cast<double>(results), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Corpus_ResultSets);
BENCHMARK(BM_SysmexXn_CbcResultSets);
BENCHMARK(BM_GenericHl7_CbcResultSets);

}  // namespace
}  // namespace hemalink::bench
