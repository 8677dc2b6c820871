// The rules engine on generated CBC, coagulation and flow specimens with the shipped rule sets
// (config/rules/). Items are results. "Evaluate" is what the target counts: the verdict
// of every result, history answered from memory (no database lookups); "Decide" adds what the
// store keeps (calculated results, comments, the decision records with every firing).
//
// Where the specimens are matters as much as the rules: the daemon decides a specimen right after
// its connection's thread decoded it, so its results are in the core's cache. `evaluate/<panel>`
// is that: 20 specimens, evaluated over and over, stay in L2. `evaluate/<panel>_cold` cycles
// through 200 specimens (for CBC about 2.5 MB of results), which do not: it shows what a cache
// miss per result costs.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <stdexcept>

#include "drivers/driver.hpp"
#include "server/config/mapping_json.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/rules/recent_results.hpp"
#include "server/rules/rule_files.hpp"
#include "server/simulate/generated_messages.hpp"

namespace {

using namespace hemalink;

const std::filesystem::path kRules =
    std::filesystem::path(HEMALINK_SOURCE_DIR) / "config" / "rules";

std::shared_ptr<const rules::RuleSet> shipped_rules() {
  auto loaded =
      rules::load_rule_files({kRules / "cbc.json", kRules / "coag.json", kRules / "flow.json"});
  if (!loaded)
    throw std::runtime_error(loaded.error().front().describe());
  return *loaded;
}

// Previous results from memory: every patient had each test once, a day ago, at 90 % of today.
struct MemoryHistory final : rules::ResultHistory {
  std::optional<double> previous(const model::ResultSet& s, std::string_view code,
                                 double within_seconds) const override {
    if (within_seconds < 86400)
      return std::nullopt;
    for (const auto& o : s.observations) {
      if (o.code == code && o.numeric)
        return *o.numeric * 0.9;
    }
    return std::nullopt;
  }
  std::optional<double> same_specimen(const model::ResultSet&,
                                      std::string_view code) const override {
    return code == "LYMPH_ABS" ? std::optional<double>(1.85) : std::nullopt;
  }
};

struct Source {
  simulate::Panel panel;
  model::WireProtocol protocol;
  const char* driver;
  const char* base;  ///< The analyzer's mapping table.
};

std::vector<model::ResultSet> specimens(const std::vector<Source>& sources, std::size_t each) {
  ingest::MessageReader reader;
  for (const auto& s : sources) {
    auto mappings = config::load_mappings(s.base, "", "");
    reader.add_analyzer(s.driver, drivers::make_driver(s.driver, {*mappings, {}, {}}));
  }
  std::vector<model::ResultSet> out;
  std::size_t n = 0;
  for (const auto& s : sources) {
    for (auto& raw : simulate::generate(s.panel, s.protocol, each, 42)) {
      records::Receipt r;
      r.analyzer = s.driver;
      r.driver = s.driver;
      r.protocol = s.protocol;
      r.raw = std::move(raw);
      for (auto& set : reader.read(r).result_sets) {
        if (set.patient) {
          set.patient->age_years = static_cast<double>(n % 90);
          set.patient->sex.assign(1, n % 2 == 0 ? 'F' : 'M');  // GCC 12 -O3: -Wrestrict on =
        }
        if (n % 7 == 0)
          set.specimen_flags.push_back({"Blasts?", std::nullopt, true});
        ++n;
        out.push_back(std::move(set));
      }
    }
  }
  return out;
}

std::size_t result_count(const std::vector<model::ResultSet>& sets) {
  std::size_t n = 0;
  for (const auto& s : sets)
    n += s.observations.size();
  return n;
}

const std::vector<Source> kCbc = {
    {simulate::Panel::Cbc, model::WireProtocol::Astm, "sysmex-xn", "sysmex-xn"}};
const std::vector<Source> kCoag = {
    {simulate::Panel::Coag, model::WireProtocol::Astm, "sysmex-cs", "sysmex-cs"}};
const std::vector<Source> kFlow = {
    {simulate::Panel::Flow, model::WireProtocol::Hl7, "generic-hl7", "loinc-lymphocyte-subsets"}};

void evaluate(benchmark::State& state, const std::vector<Source>& sources, std::size_t messages) {
  const auto set = shipped_rules();
  const auto sets = specimens(sources, messages);
  const MemoryHistory history;
  std::vector<std::uint32_t> fired;
  fired.reserve(set->rules().size());
  rules::SpecimenFacts facts;
  std::size_t held = 0;
  for (auto _ : state) {
    for (const auto& s : sets) {
      set->gather(s, facts);
      for (const auto& o : s.observations) {
        held += set->evaluate({o, s, &history, &facts}, fired) != model::Verdict::Release;
      }
    }
  }
  benchmark::DoNotOptimize(held);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * result_count(sets)));
  state.counters["results"] = static_cast<double>(result_count(sets));
}

// Decides every specimen, each with the history `history_for` gives it. decide() adds calculated
// results and comments: each iteration decides fresh copies, made (and the last ones freed)
// untimed.
template <typename HistoryFor>
void decide_all(benchmark::State& state, const std::vector<Source>& sources,
                HistoryFor history_for) {
  const auto set = shipped_rules();
  const auto sets = specimens(sources, 200);
  std::size_t decisions = 0;
  std::vector<model::ResultSet> copies;
  for (auto _ : state) {
    state.PauseTiming();
    copies = sets;
    state.ResumeTiming();
    for (auto& s : copies) {
      auto history = history_for();
      decisions += set->decide(s, &history).size();
    }
  }
  benchmark::DoNotOptimize(decisions);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * result_count(sets)));
}

void decide(benchmark::State& state, const std::vector<Source>& sources) {
  decide_all(state, sources, [] { return MemoryHistory{}; });
}

// The daemon's own history: the bounded cache, warm (every patient and specimen already read).
struct NoArchive final : rules::ResultArchive {
  std::optional<std::vector<PatientResult>> patient_results(std::string_view, std::string_view,
                                                            rules::TimePoint) override {
    return std::vector<PatientResult>{};
  }
  std::optional<std::vector<SpecimenResult>> specimen_results(std::string_view) override {
    return std::vector<SpecimenResult>{};
  }
};

void decide_with_cache(benchmark::State& state, const std::vector<Source>& sources) {
  rules::RecentResults recent(std::make_shared<NoArchive>(), 1000000);
  const auto now = std::chrono::system_clock::now();
  decide_all(state, sources, [&] { return recent.view(now); });
}

BENCHMARK_CAPTURE(evaluate, cbc, kCbc, 20);
BENCHMARK_CAPTURE(evaluate, coag, kCoag, 20);
BENCHMARK_CAPTURE(evaluate, flow, kFlow, 20);
BENCHMARK_CAPTURE(evaluate, cbc_cold, kCbc, 200);
BENCHMARK_CAPTURE(evaluate, coag_cold, kCoag, 200);
BENCHMARK_CAPTURE(evaluate, flow_cold, kFlow, 200);
BENCHMARK_CAPTURE(decide, cbc, kCbc);
BENCHMARK_CAPTURE(decide, coag, kCoag);
BENCHMARK_CAPTURE(decide, flow, kFlow);
BENCHMARK_CAPTURE(decide_with_cache, cbc, kCbc);

}  // namespace

BENCHMARK_MAIN();
