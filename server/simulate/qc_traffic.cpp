#include "server/simulate/qc_traffic.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "server/simulate/mcv_population.hpp"

namespace hemalink::simulate {
namespace {

constexpr double kControlSpread = 0.7;  ///< SD of a control's z-score, before it is capped.
constexpr double kControlCap = 1.5;     ///< |z| of a control that is in.
constexpr double kFailedZ = 3.5;

const char* units_of(const std::string& test) {
  if (test == "HGB" || test == "MCHC")
    return "g/dL";
  if (test == "HCT")
    return "%";
  if (test == "MCV")
    return "fL";
  if (test == "MCH")
    return "pg";
  return test == "RBC" ? "10*6/uL" : "10*3/uL";
}

// Each message's measurement time: one minute apart, the last at `traffic.last_measured`.
class Clock {
 public:
  Clock(std::chrono::system_clock::time_point last, std::size_t messages)
      : next_(last - std::chrono::minutes(messages > 0 ? messages - 1 : 0)) {}
  std::string next() {
    const auto at = std::chrono::time_point_cast<std::chrono::seconds>(next_);
    next_ += std::chrono::minutes(1);
    return fmt::format("{:%Y%m%d%H%M%S}", at);
  }

 private:
  std::chrono::system_clock::time_point next_;
};

std::string header(const std::string& patient, const std::string& sample, bool is_qc) {
  return fmt::format(
      "H|\\^&|||XN-1000^00-21^11001^^^^A1234||||||||E1394-97\r"
      "P|1|||{}|{}||{}|{}\r"
      "O|1||^^          {}^B|^^^^WBC\\^^^^RBC\\^^^^HGB\\^^^^PLT|||||||{}||||||||||||||F\r",
      patient, is_qc ? "" : "^Test^Patient", is_qc ? "" : "19700101", is_qc ? "" : "F", sample,
      is_qc ? "Q" : "N");
}

struct Reading {
  std::string test;
  double value;
  int decimals;
  const char* flag;
};

std::string message(std::string records, const std::vector<Reading>& readings,
                    const std::string& measured) {
  int seq = 1;
  for (const auto& r : readings) {
    records += fmt::format("R|{}|^^^^{}^1|{:.{}f}|{}||{}||F||||{}\r", seq++, r.test, r.value,
                           r.decimals, units_of(r.test), r.flag, measured);
  }
  return records + "L|1|N\r";
}

int decimals_of(const std::string& test) {
  return test == "PLT" ? 0 : test == "WBC" || test == "RBC" ? 2 : 1;
}

// z-scores of one run: within the cap, above the target on even runs and below on odd ones.
std::string control_message(const ControlLevel& level, std::size_t run, bool fails,
                            std::mt19937& rng, const std::string& measured) {
  std::normal_distribution<double> spread(0, kControlSpread);
  std::vector<Reading> readings;
  for (const auto& t : level.targets) {
    const double side = run % 2 == 0 ? 1 : -1;
    const double z = fails ? kFailedZ : side * std::min(std::abs(spread(rng)), kControlCap);
    readings.push_back({t.test, t.mean + z * t.sd, decimals_of(t.test) + 1, "N"});
  }
  return message(header("", level.sample, true), readings, measured);
}

const char* flag_for(double value, double low, double high) {
  return value < low ? "L" : value > high ? "H" : "N";
}

// A consistent CBC: the red-cell indices from the population, RBC and HCT from them and HGB.
class Patients {
 public:
  explicit Patients(std::uint32_t seed) : rng_(seed) {}

  std::vector<Reading> next(double shift) {
    const double mcv = mcv_.draw(rng_) * shift;
    const double mch = mcv * mch_per_fl_(rng_);
    const double hgb = std::max(4.0, hgb_(rng_));
    const double rbc = hgb * 10 / mch;
    const double hct = rbc * mcv / 10;
    const double wbc = std::max(0.5, wbc_(rng_));
    const double plt = std::max(20.0, plt_(rng_));
    return {{"WBC", wbc, 2, flag_for(wbc, 4.0, 11.0)},  {"RBC", rbc, 2, flag_for(rbc, 3.9, 5.6)},
            {"HGB", hgb, 1, flag_for(hgb, 11.5, 17.0)}, {"HCT", hct, 1, flag_for(hct, 35, 50)},
            {"MCV", mcv, 1, flag_for(mcv, 80, 100)},    {"MCH", mch, 1, flag_for(mch, 27, 33)},
            {"MCHC", hgb / hct * 100, 1, "N"},          {"PLT", plt, 0, flag_for(plt, 150, 400)}};
  }

 private:
  std::mt19937 rng_;
  McvPopulation mcv_;
  std::normal_distribution<double> mch_per_fl_{30.5 / 89.5, 0.008};
  std::normal_distribution<double> hgb_{13.8, 1.4};
  std::normal_distribution<double> wbc_{7.0, 1.8};
  std::normal_distribution<double> plt_{260, 60};
};

}  // namespace

const std::vector<ControlLevel>& xn_check_levels() {
  static const std::vector<ControlLevel> kLevels = {
      {"QC-L1-4411",
       "XN-CHECK",
       "1",
       "4411",
       {{"WBC", 3.05, 0.12}, {"HGB", 5.9, 0.12}, {"PLT", 82, 5.5}}},
      {"QC-L2-4411",
       "XN-CHECK",
       "2",
       "4411",
       {{"WBC", 7.10, 0.21}, {"HGB", 12.4, 0.19}, {"PLT", 224, 9.0}}},
  };
  return kLevels;
}

std::vector<std::string> xn_control_run(std::size_t run, bool fails, std::mt19937& rng,
                                        const std::string& measured) {
  std::vector<std::string> out;
  const auto& levels = xn_check_levels();
  for (std::size_t l = 0; l < levels.size(); ++l) {
    out.push_back(control_message(levels[l], run, fails && l == 0, rng, measured));
  }
  return out;
}

std::vector<std::string> qc_traffic_messages(const QcTraffic& traffic) {
  const auto& levels = xn_check_levels();
  const std::size_t every = std::max<std::size_t>(traffic.qc_every, 1);
  const std::size_t runs = 1 + traffic.patients / every;
  Clock clock(traffic.last_measured, traffic.patients + runs * levels.size());
  std::mt19937 rng(traffic.seed);
  Patients patients(traffic.seed + 1);
  std::vector<std::string> out;
  std::size_t run = 0;
  const auto control_run = [&] {
    ++run;
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const bool fails = run == traffic.fail_run && l == 0;
      out.push_back(control_message(levels[l], run, fails, rng, clock.next()));
    }
  };
  control_run();
  for (std::size_t p = 0; p < traffic.patients; ++p) {
    const double shift = p >= traffic.patients / 2 ? 1 + traffic.mcv_shift_pct / 100 : 1.0;
    out.push_back(message(header(fmt::format("P{:07}", p), fmt::format("SMP{:08}", p), false),
                          patients.next(shift), clock.next()));
    if ((p + 1) % every == 0) {
      control_run();
    }
  }
  return out;
}

}  // namespace hemalink::simulate
