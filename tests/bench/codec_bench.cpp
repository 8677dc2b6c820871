// Codec throughput on generated CBC traffic, beside a memchr scan of the same bytes (the floor a
// field-level parser cannot beat: it must at least find every field delimiter).
#include <benchmark/benchmark.h>

#include <cstring>
#include <numeric>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/hl7/mllp.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/simulate/generated_messages.hpp"

namespace hemalink::bench {
namespace {

using simulate::astm_cbc_messages;
using simulate::hl7_oru_cbc_messages;

constexpr std::size_t kMessages = 500;

const std::vector<std::string>& hl7_messages() {
  static const auto messages = hl7_oru_cbc_messages(kMessages, 42);
  return messages;
}

const std::vector<std::string>& astm_messages() {
  static const auto messages = astm_cbc_messages(kMessages, 42);
  return messages;
}

std::size_t total_bytes(const std::vector<std::string>& messages) {
  return std::accumulate(messages.begin(), messages.end(), std::size_t{0},
                         [](std::size_t n, const std::string& m) { return n + m.size(); });
}

void set_rates(benchmark::State& state, const std::vector<std::string>& messages) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * total_bytes(messages)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * messages.size()));
}

// The floor: find every field delimiter of every message with memchr, and do nothing else.
void memchr_scan(benchmark::State& state, const std::vector<std::string>& messages) {
  for (auto _ : state) {
    std::size_t delimiters = 0;
    for (const auto& m : messages) {
      const char* p = m.data();
      const char* end = p + m.size();
      while (const auto* hit = static_cast<const char*>(std::memchr(p, '|', end - p))) {
        ++delimiters;
        p = hit + 1;
      }
    }
    benchmark::DoNotOptimize(delimiters);
  }
  set_rates(state, messages);
}

void BM_Hl7_MemchrScan(benchmark::State& state) {
  memchr_scan(state, hl7_messages());
}
void BM_Astm_MemchrScan(benchmark::State& state) {
  memchr_scan(state, astm_messages());
}

void BM_Hl7_Parse(benchmark::State& state) {
  const auto& messages = hl7_messages();
  for (auto _ : state) {
    std::size_t fields = 0;
    for (const auto& m : messages) {
      auto parsed = hl7::V2Message::parse(m);
      for (std::size_t i = 0; i < parsed->segment_count(); ++i) {
        fields += parsed->segment(i).field_count();
      }
    }
    benchmark::DoNotOptimize(fields);
  }
  set_rates(state, messages);
}

void BM_Astm_Parse(benchmark::State& state) {
  const auto& messages = astm_messages();
  for (auto _ : state) {
    std::size_t fields = 0;
    for (const auto& m : messages) {
      auto parsed = astm::Lis2Message::parse(m);
      for (std::size_t i = 0; i < parsed->record_count(); ++i) {
        fields += parsed->record(i).field_count();
      }
    }
    benchmark::DoNotOptimize(fields);
  }
  set_rates(state, messages);
}

// The whole receive path of an ASTM analyzer: E1381 frames (checksums, ACKs, reassembly), then
// the records parsed to field level.
class ParsingLinkSink final : public astm::LinkSink {
 public:
  void on_write(std::string_view) override {}
  void on_arm_timer(astm::LinkTimer, astm::milliseconds) override {}
  void on_cancel_timer(astm::LinkTimer) override {}
  void on_message(std::string_view records, astm::MessageEnd, std::size_t) override {
    auto parsed = astm::Lis2Message::parse(std::string(records));
    fields += parsed->record_count();
  }
  void on_error(const ParseError&, std::string_view) override { ++errors; }
  void on_notice(astm::LinkNotice, std::size_t) override {}
  void on_sent(std::uint64_t, std::error_code) override {}
  std::size_t fields = 0;
  std::size_t errors = 0;
};

void BM_Astm_E1381LinkAndParse(benchmark::State& state) {
  const auto& messages = astm_messages();
  std::string wire;
  int fn = 1;
  wire.push_back(ctl::kEnq);
  for (const auto& m : messages) {
    for (std::size_t at = 0; at < m.size();) {
      std::size_t end = m.find('\r', at) + 1;
      astm::encode_frame(fn, std::string_view(m).substr(at, end - at), true, wire);
      fn = (fn + 1) % 8;
      at = end;
    }
  }
  wire.push_back(ctl::kEot);
  for (auto _ : state) {
    ParsingLinkSink sink;
    astm::E1381Link link({}, sink);
    link.feed(as_bytes(wire));
    if (sink.errors != 0) {
      state.SkipWithError("link errors");
    }
    benchmark::DoNotOptimize(sink.fields);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * messages.size()));
}

class ParsingMllpSink final : public hl7::MllpSink {
 public:
  void on_message(std::string_view payload, std::size_t) override {
    auto parsed = hl7::V2Message::parse(std::string(payload));
    segments += parsed->segment_count();
  }
  void on_error(const ParseError&, std::string_view) override {}
  std::size_t segments = 0;
};

void BM_Hl7_MllpAndParse(benchmark::State& state) {
  const auto& messages = hl7_messages();
  std::string wire;
  for (const auto& m : messages) {
    hl7::mllp_wrap(m, wire);
  }
  for (auto _ : state) {
    ParsingMllpSink sink;
    hl7::MllpFramer framer({}, sink);
    framer.feed(as_bytes(wire));
    benchmark::DoNotOptimize(sink.segments);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire.size()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * messages.size()));
}

// A 2 MB scattergram in OBX-5: parse cost stays linear in the bytes.
void BM_Hl7_Parse2MbEd(benchmark::State& state) {
  std::string image(2 * 1024 * 1024, 'A');
  for (std::size_t i = 0; i < image.size(); ++i) {
    image[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 7) % 64];
  }
  const std::string text =
      "MSH|^~\\&|XN||||||ORU^R01|9|P|2.5.1\rOBX|1|ED|SCAT^WDF||^image^png^Base64^" + image +
      "||||||F\r";
  for (auto _ : state) {
    auto parsed = hl7::V2Message::parse(text);
    benchmark::DoNotOptimize(parsed->segment_count());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK(BM_Hl7_MemchrScan);
BENCHMARK(BM_Hl7_Parse);
BENCHMARK(BM_Hl7_MllpAndParse);
BENCHMARK(BM_Hl7_Parse2MbEd);
BENCHMARK(BM_Astm_MemchrScan);
BENCHMARK(BM_Astm_Parse);
BENCHMARK(BM_Astm_E1381LinkAndParse);

}  // namespace
}  // namespace hemalink::bench

BENCHMARK_MAIN();
