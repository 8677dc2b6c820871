// How fast the lab day's model draws tubes (issue 31): specimens generated per second, per
// profile, for a 5,000-specimen day (patients, timeline, values, messages and truth).
#include <benchmark/benchmark.h>

#include "server/simulate/lab_day.hpp"

namespace hemalink::bench {
namespace {

void generate_lab_day(benchmark::State& state) {
  simulate::LabDayPlan plan;
  plan.specimens = 5000;
  plan.profile = static_cast<simulate::LabProfile>(state.range(0));
  std::uint32_t seed = 1;
  for (auto _ : state) {
    plan.seed = seed++;
    auto day = simulate::generate_lab_day(plan);
    benchmark::DoNotOptimize(day);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(plan.specimens));
  state.SetLabel(std::string(simulate::name_of(plan.profile)));
}
BENCHMARK(generate_lab_day)
    ->Arg(static_cast<int>(simulate::LabProfile::Hospital))
    ->Arg(static_cast<int>(simulate::LabProfile::Outpatient))
    ->Arg(static_cast<int>(simulate::LabProfile::Oncology))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hemalink::bench

BENCHMARK_MAIN();
