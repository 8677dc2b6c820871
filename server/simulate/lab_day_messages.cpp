#include "server/simulate/lab_day_messages.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string_view>

#include "server/simulate/host_queries.hpp"
#include "server/simulate/qc_traffic.hpp"

namespace hemalink::simulate {
namespace {

// How an analyzer names a canonical code, and how it prints it (config/mappings/sysmex-xn.json,
// sysmex-cs.json, loinc-lymphocyte-subsets.json).
struct WireCode {
  std::string_view canonical;
  std::string_view code;
  std::string_view text;
  std::string_view units;
  int decimals;
  std::string_view loinc;  ///< The XN's parameter as an HL7 sender codes it.
};

constexpr WireCode kXn[] = {
    {"WBC", "WBC", "", "10*3/uL", 2, "6690-2"},
    {"RBC", "RBC", "", "10*6/uL", 2, "789-8"},
    {"HGB", "HGB", "", "g/dL", 1, "718-7"},
    {"HCT", "HCT", "", "%", 1, "4544-3"},
    {"MCV", "MCV", "", "fL", 1, "787-2"},
    {"MCH", "MCH", "", "pg", 1, "785-6"},
    {"MCHC", "MCHC", "", "g/dL", 1, "786-4"},
    {"PLT", "PLT", "", "10*3/uL", 0, "777-3"},
    {"RDW_SD", "RDW-SD", "", "fL", 1, "21000-5"},
    {"RDW_CV", "RDW-CV", "", "%", 1, "788-0"},
    {"PDW", "PDW", "", "fL", 1, "32207-3"},
    {"MPV", "MPV", "", "fL", 1, "32623-1"},
    {"P_LCR", "P-LCR", "", "%", 1, "48386-7"},
    {"PCT", "PCT", "", "%", 2, "51637-7"},
    {"NEUT_ABS", "NEUT#", "", "10*3/uL", 2, "751-8"},
    {"LYMPH_ABS", "LYMPH#", "", "10*3/uL", 2, "731-0"},
    {"MONO_ABS", "MONO#", "", "10*3/uL", 2, "742-7"},
    {"EO_ABS", "EO#", "", "10*3/uL", 2, "711-2"},
    {"BASO_ABS", "BASO#", "", "10*3/uL", 2, "704-7"},
    {"NEUT_PCT", "NEUT%", "", "%", 1, "770-8"},
    {"LYMPH_PCT", "LYMPH%", "", "%", 1, "736-9"},
    {"MONO_PCT", "MONO%", "", "%", 1, "5905-5"},
    {"EO_PCT", "EO%", "", "%", 1, "713-8"},
    {"BASO_PCT", "BASO%", "", "%", 1, "706-2"},
    {"IG_ABS", "IG#", "", "10*3/uL", 2, "53115-2"},
    {"IG_PCT", "IG%", "", "%", 1, "71695-1"},
    {"NRBC_ABS", "NRBC#", "", "10*3/uL", 2, "30392-5"},
    {"NRBC_PCT", "NRBC%", "", "/100{WBCs}", 1, "58413-6"},
    {"RET_ABS", "RET#", "", "10*6/uL", 4, "60474-4"},
    {"RET_PCT", "RET%", "", "%", 2, "17849-1"},
    {"IRF", "IRF", "", "%", 1, "33516-6"},
    {"RET_HE", "RET-He", "", "pg", 1, "71694-4"},
    {"PLT_F", "PLT-F", "", "10*3/uL", 0, ""},
};

constexpr WireCode kCs[] = {
    {"PT_SEC", "041", "PT INN~sec", "sec", 1, ""},
    {"PT_PCT", "042", "PT INN~%", "%", 1, ""},
    {"INR", "043", "PT INN cal~INR", "", 2, ""},
    {"APTT", "051", "APTT FS~sec", "sec", 1, ""},
    {"FIB", "061", "Fbg~g_L", "g/L", 2, ""},
    {"DDIMER", "091", "D-Dimer~ug_mL", "ug/mL", 2, ""},
};

constexpr WireCode kFlow[] = {
    {"CD3_PCT", "8124-0", "CD3%", "%", 1, ""},
    {"CD3_ABS", "8122-4", "CD3#", "/uL", 0, ""},
    {"CD4_PCT", "8123-2", "CD4%", "%", 1, ""},
    {"CD4_ABS", "24467-3", "CD4#", "/uL", 0, ""},
    {"CD8_PCT", "8101-8", "CD8%", "%", 1, ""},
    {"CD8_ABS", "14135-8", "CD8#", "/uL", 0, ""},
    {"CD19_PCT", "8117-4", "CD19%", "%", 1, ""},
    {"CD19_ABS", "8116-6", "CD19#", "/uL", 0, ""},
    {"CD16_56_PCT", "8112-5", "CD16+56%", "%", 1, ""},
    {"CD16_56_ABS", "42190-9", "CD16+56#", "/uL", 0, ""},
};

// The adult reference intervals the simulated analyzers flag against (R-7 / OBX-8 L or H): NORIP
// for the CBC, the textbook differential, the CA-1500 study for coagulation (docs/lab-day.md).
struct Interval {
  std::string_view canonical;
  double low;
  double high;
};

constexpr Interval kIntervals[] = {
    {"WBC", 3.5, 8.8},       {"RBC", 3.94, 5.71},    {"HGB", 11.7, 17.0},
    {"HCT", 34.8, 50.0},     {"MCV", 82, 98},        {"MCH", 27.1, 33.3},
    {"MCHC", 31.7, 35.7},    {"PLT", 145, 387},      {"RDW_CV", 11.5, 14.5},
    {"RDW_SD", 39, 46},      {"MPV", 9.1, 13.0},     {"NEUT_ABS", 2.5, 7.5},
    {"LYMPH_ABS", 1.5, 3.5}, {"MONO_ABS", 0.2, 0.8}, {"EO_ABS", 0.04, 0.44},
    {"BASO_ABS", 0.01, 0.1}, {"NEUT_PCT", 45, 74},   {"LYMPH_PCT", 16, 45},
    {"MONO_PCT", 4, 10},     {"EO_PCT", 0, 7},       {"BASO_PCT", 0, 2},
    {"IG_PCT", 0, 0.9},      {"IG_ABS", 0, 0.07},    {"NRBC_PCT", 0, 0.1},
    {"NRBC_ABS", 0, 0.01},   {"RET_PCT", 0.5, 2.5},  {"RET_ABS", 0.025, 0.125},
    {"PT_SEC", 10.0, 11.8},  {"INR", 0.9, 1.1},      {"APTT", 24.7, 31.7},
    {"FIB", 1.6, 4.2},       {"DDIMER", 0, 0.5},
};

std::string_view flag_of(const LabValue& v) {
  const auto* it = std::find_if(std::begin(kIntervals), std::end(kIntervals),
                                [&](const Interval& i) { return i.canonical == v.code; });
  if (it == std::end(kIntervals)) {
    return "N";
  }
  return v.value < it->low ? "L" : v.value > it->high ? "H" : "N";
}

template <std::size_t N>
const WireCode* find_code(const WireCode (&table)[N], std::string_view canonical) {
  const auto* it = std::find_if(std::begin(table), std::end(table),
                                [&](const WireCode& c) { return c.canonical == canonical; });
  return it == std::end(table) ? nullptr : it;
}

std::string stamp(LabClock at) {
  return fmt::format("{:%Y%m%d%H%M%S}", std::chrono::time_point_cast<std::chrono::seconds>(at));
}

// A tube is measured some minutes after it was drawn (transport and the analyzer's queue).
LabClock measured_at(LabClock day_start, int minute) {
  return day_start + std::chrono::minutes(minute + 20);
}

std::string_view patient_class(const LabPatient& p) {
  if (p.location == "ED") {
    return "E";
  }
  return p.is_inpatient ? "I" : "O";
}

// The XN sends a suspect message's Q-flag score always, an abnormal or judgement message only
// when it is found.
bool is_sent(const AnalyzerMessage& m) {
  return m.q.has_value() || m.is_positive;
}

std::string score_of(const AnalyzerMessage& m) {
  return m.q ? std::to_string(*m.q) : std::string();
}

std::string xn_results(const LabDay& day, const LabSpecimen& s, LabClock day_start) {
  const auto& p = day.patients[s.patient];
  const auto when = stamp(measured_at(day_start, s.drawn_minute));
  std::string ordered;
  for (const auto& v : s.results) {
    if (const auto* c = find_code(kXn, v.code)) {
      ordered += fmt::format("{}^^^^{}", ordered.empty() ? "" : "\\", c->code);
    }
  }
  std::string out = fmt::format(
      "H|\\^&|||XN-1000^00-21^11001^^^^A1234||||||||E1394-97\r"
      "P|1|||{}|^{}^{}||{}|{}\r"
      "O|1||^^{:>22}^B|{}|||||||N||||||||||||||F\r",
      p.id, p.family_name, p.given_name, p.birth_date, p.sex, s.id, ordered);
  int seq = 1;
  for (const auto& v : s.results) {
    const auto* c = find_code(kXn, v.code);
    if (c == nullptr) {
      continue;
    }
    out += fmt::format("R|{}|^^^^{}^1|{:.{}f}|{}||{}||F||||{}\r", seq++, c->code, v.value,
                       c->decimals, c->units, flag_of(v), when);
  }
  for (const auto& m : s.messages) {
    if (is_sent(m)) {
      out += fmt::format("R|{}|^^^^{}|{}|||{}||F||||{}\r", seq++, m.name, score_of(m),
                         m.is_positive ? "A" : "", when);
    }
  }
  return out + "L|1|N\r";
}

std::string cs_header(const std::string& sample, bool is_qc, std::size_t rack) {
  return fmt::format(
      "H|\\^&|||CS-2500^01-70^11234^^^LAB1^BV000001||||||||E1394-97\r"
      "P|1\r"
      "O|1||{:06}^03^{:>15}^B^||R||||||{}\r",
      rack, sample, is_qc ? "Q" : "N");
}

std::string cs_result(int seq, const WireCode& c, double value, std::string_view flag,
                      const std::string& when) {
  return fmt::format("R|{}|^^^{}^{}^100.00^A^^^|{:6.{}f}|{}||{}||||||{}\r", seq, c.code, c.text,
                     value, c.decimals, c.units, flag, when);
}

std::string cs_results(const LabSpecimen& s, std::size_t index, LabClock day_start) {
  const auto when = stamp(measured_at(day_start, s.drawn_minute));
  auto out = cs_header(s.id, false, index);
  int seq = 1;
  for (const auto& v : s.results) {
    if (const auto* c = find_code(kCs, v.code)) {
      const auto flag = std::string(flag_of(v));
      out += cs_result(seq++, *c, v.value, s.sample_check_failed ? flag + "\\W" : flag, when);
    }
  }
  return out + "L|1|N\r";
}

// Ci-Trol level 1 (config/qc/controls.json, sample CITROL-1): PT within 1.5 SD of 11.8 s.
std::string cs_control(std::size_t run, LabClock at, std::mt19937& rng) {
  // A z-score in [-1.5, 1.5) from the generator's own bits: the same on every standard library.
  const auto z = [&rng] { return 3.0 * static_cast<double>(rng()) / 4294967296.0 - 1.5; };
  auto out = cs_header("CITROL-1", true, 900000 + run);
  out += cs_result(1, *find_code(kCs, "PT_SEC"), 11.8 + z() * 0.3, "N", stamp(at));
  out += cs_result(2, *find_code(kCs, "APTT"), 28.0 + z() * 0.8, "N", stamp(at));
  return out + "L|1|N\r";
}

std::string flow_results(const LabDay& day, const LabSpecimen& s, LabClock day_start) {
  const auto& p = day.patients[s.patient];
  const auto when = stamp(measured_at(day_start, s.drawn_minute));
  std::string out = fmt::format(
      "MSH|^~\\&|FACSLyric^BD|LAB|hemalink|LAB|{}||ORU^R01^ORU_R01|F{}|P|2.5.1|||AL|NE||"
      "UNICODE UTF-8\r"
      "PID|1||{}^^^HOSP^MR||{}^{}||{}|{}\r"
      "OBR|1||{}|57790-6^Lymphocyte subset panel^LN|||{}|||||||{}|||||||||||F\r",
      when, s.id, p.id, p.family_name, p.given_name, p.birth_date, p.sex, s.id,
      stamp(day_start + std::chrono::minutes(s.drawn_minute)), when);
  int set = 1;
  for (const auto& v : s.results) {
    if (const auto* c = find_code(kFlow, v.code)) {
      out += fmt::format("OBX|{}|NM|{}^{}^LN||{:.{}f}|{}|||||F|||{}\r", set++, c->code, c->text,
                         v.value, c->decimals, c->units, when);
    }
  }
  return out;
}

// The XN's tube as an HL7 sender reports it: ORU^R01 with LOINC-coded OBX (a generic-hl7
// analyzer on loinc-cbc reads it), and each IP message the XN sends over ASTM as an OBX named
// after it, the Q-flag score in OBX-5 and A in OBX-8 when positive.
std::string xn_hl7_results(const LabDay& day, const LabSpecimen& s, std::size_t n,
                           LabClock day_start) {
  const auto& p = day.patients[s.patient];
  const auto when = stamp(measured_at(day_start, s.drawn_minute));
  std::string out = fmt::format(
      "MSH|^~\\&|XN-1000^00-21^11001|LAB|hemalink|LAB|{}||ORU^R01^ORU_R01|H{}{:07}|P|2.5.1|||AL|"
      "NE||UNICODE UTF-8\r"
      "PID|1||{}^^^HOSP^MR||{}^{}||{}|{}\r"
      "PV1|1|{}|{}\r"
      "OBR|1||{}|57021-8^CBC W Auto Differential panel^LN|||{}|||||||{}|||||||||||F\r",
      when, s.id, n, p.id, p.family_name, p.given_name, p.birth_date, p.sex, patient_class(p),
      p.location, s.id, stamp(day_start + std::chrono::minutes(s.drawn_minute)), when);
  int set = 1;
  for (const auto& v : s.results) {
    const auto* c = find_code(kXn, v.code);
    if (c != nullptr && !c->loinc.empty()) {
      out += fmt::format("OBX|{}|NM|{}^{}^LN||{:.{}f}|{}||{}|||F|||{}\r", set++, c->loinc, c->code,
                         v.value, c->decimals, c->units, flag_of(v), when);
    }
  }
  for (const auto& m : s.messages) {
    if (is_sent(m)) {
      out += fmt::format("OBX|{}|{}|{}^{}^99SYSMEX||{}|||{}|||F|||{}\r", set++, m.q ? "NM" : "ST",
                         m.name, m.name, score_of(m), m.is_positive ? "A" : "", when);
    }
  }
  return out;
}

std::string patient_message(const LabDay& day, const LabSpecimen& s, std::size_t index,
                            LabClock day_start) {
  switch (s.bench) {
    case Bench::Hematology:
      return xn_results(day, s, day_start);
    case Bench::Coagulation:
      return cs_results(s, index, day_start);
    case Bench::Flow:
      return flow_results(day, s, day_start);
  }
  return {};
}

std::vector<std::string> control_run(Bench bench, std::size_t run, bool fails, LabClock at,
                                     std::mt19937& rng) {
  if (bench == Bench::Hematology) {
    return xn_control_run(run, fails, rng, stamp(at));
  }
  if (bench == Bench::Coagulation) {
    return {cs_control(run, at, rng)};
  }
  return {};
}

// The text of each code the LIS orders (config/lis/example-lis.json order panels).
constexpr std::pair<std::string_view, std::string_view> kOrderTexts[] = {
    {"FBC", "Full blood count"},    {"DIFF", "Differential"}, {"RETIC", "Reticulocytes"},
    {"COAG", "Coagulation screen"}, {"FIB", "Fibrinogen"},    {"DDIMER", "D-dimer"},
    {"LSUB", "Lymphocyte subsets"},
};

std::string_view order_text(std::string_view code) {
  for (const auto& [ordered, text] : kOrderTexts) {
    if (ordered == code) {
      return text;
    }
  }
  return code;
}

}  // namespace

std::vector<SentMessage> timed_bench_traffic(const LabDay& day, Bench bench, LabClock day_start,
                                             bool with_queries) {
  std::vector<SentMessage> out;
  std::mt19937 rng(day.plan.seed * 7919U + static_cast<unsigned>(bench));
  std::size_t run = 0;
  // A control run comes before the tubes after it even when a tube drawn earlier is measured
  // later, and the link sends one message at a time: each is a second after the one before at
  // least (the same second would leave the order of a control and a tube to chance).
  const auto send = [&](std::string text, LabClock at) {
    if (!out.empty()) {
      at = std::max(at, out.back().at + std::chrono::seconds(1));
    }
    out.push_back({std::move(text), at});
  };
  auto next_run = day.qc_runs.begin();
  const auto add_runs_before = [&](std::size_t specimen) {
    for (; next_run != day.qc_runs.end() && next_run->before_specimen <= specimen; ++next_run) {
      if (next_run->bench != bench) {
        continue;
      }
      ++run;
      const auto at = day_start + std::chrono::minutes(next_run->minute);
      for (auto& m : control_run(bench, run, next_run->fails, at, rng)) {
        send(std::move(m), at);
      }
    }
  };
  for (std::size_t i = 0; i < day.specimens.size(); ++i) {
    const auto& s = day.specimens[i];
    add_runs_before(i);
    if (s.bench != bench) {
      continue;
    }
    auto message = patient_message(day, s, i, day_start);
    const auto at = measured_at(day_start, s.drawn_minute);
    if (with_queries && bench == Bench::Hematology) {
      send(query_for(message, model::WireProtocol::Astm, i), at);
    }
    send(std::move(message), at);
  }
  add_runs_before(day.specimens.size());
  return out;
}

std::vector<std::string> bench_traffic(const LabDay& day, Bench bench, LabClock day_start,
                                       bool with_queries) {
  std::vector<std::string> out;
  for (auto& m : timed_bench_traffic(day, bench, day_start, with_queries)) {
    out.push_back(std::move(m.text));
  }
  return out;
}

std::vector<std::string> lab_day_cbc_messages(model::WireProtocol protocol, std::size_t count,
                                              std::uint32_t seed) {
  const auto day_start = std::chrono::system_clock::now() - std::chrono::hours(24);
  std::vector<std::string> out;
  LabDayPlan plan;
  plan.seed = seed;
  plan.specimens = count + count / 2 + 16;
  while (out.size() < count) {
    const auto day = generate_lab_day(plan);
    out.clear();
    for (std::size_t i = 0; i < day.specimens.size() && out.size() < count; ++i) {
      const auto& s = day.specimens[i];
      if (s.bench != Bench::Hematology) {
        continue;
      }
      out.push_back(protocol == model::WireProtocol::Hl7 ? xn_hl7_results(day, s, i, day_start)
                                                         : xn_results(day, s, day_start));
    }
    plan.specimens *= 2;
  }
  return out;
}

std::string lis_order(const LabDay& day, const LabSpecimen& s, LabClock day_start) {
  const auto& p = day.patients[s.patient];
  const auto drawn = stamp(day_start + std::chrono::minutes(s.drawn_minute));
  std::string out = fmt::format(
      "MSH|^~\\&|LIS-SIM|HOSP|HEMALINK|LAB|{}||OML^O21^OML_O21|O{}|P|2.5.1\r"
      "PID|1||{}^^^HOSP^MR||{}^{}||{}|{}\r"
      "PV1|1|{}|{}\r"
      "ORC|NW|PL{}\r"
      "TQ1|1||||||||{}\r",
      drawn, s.id, p.id, p.family_name, p.given_name, p.birth_date, p.sex, patient_class(p),
      p.location, s.id, s.is_stat ? "S" : "R");
  int set = 1;
  for (const auto& code : s.ordered) {
    out += fmt::format("OBR|{}|PL{}||{}^{}^L|||{}\r", set++, s.id, code, order_text(code), drawn);
  }
  return out + fmt::format("SPM|1|{}||BLD|||||||P||||||{}\r", s.id, drawn);
}

}  // namespace hemalink::simulate
