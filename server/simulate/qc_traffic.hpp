#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace hemalink::simulate {

/// One control level the simulated XN runs, as the example's control definitions give it
/// (config/qc/controls.json): the XN's QC sample number (one per QC file, so per lot), the
/// material, level and lot it stands for, and each test's target.
struct ControlLevel {
  struct Target {
    std::string test;
    double mean = 0;
    double sd = 0;
  };
  std::string sample;
  std::string material;
  std::string level;
  std::string lot;
  std::vector<Target> targets;
};

/// XN-CHECK levels 1 and 2, lot 4411: WBC, HGB and PLT.
const std::vector<ControlLevel>& xn_check_levels();

/// A Sysmex XN's traffic with its quality control (`hemalink simulate --qc-every`): a control run
/// (every level of xn_check_levels, one message each) before the first patient and after every
/// `qc_every` patients, and patients' CBCs between them: patient i is P<i> with specimen
/// SMP<i>, as `simulate --generate cbc` numbers them, so `lis-sim --generate-orders` orders them.
struct QcTraffic {
  std::size_t patients = 100;
  std::size_t qc_every = 20;
  /// This control run (1: the first) reads +3.5 SD on every test of level 1, a 1-3s rejection:
  /// the tests go out until the next run. 0: none fails.
  std::size_t fail_run = 0;
  /// From the middle patient on, MCV and MCH read this many per cent higher (RBC as much lower,
  /// MCHC unchanged: a drift of the RBC count that Bull's XbarM sees). 0: none.
  double mcv_shift_pct = 0;
  std::uint32_t seed = 1;
  /// When the last message was measured; each message one minute after the one before.
  std::chrono::system_clock::time_point last_measured{};
};

/// The messages (LIS02-A2 records, as the XN sends them) in the order the analyzer sends them.
/// The controls read within 1.5 SD of their targets, above and below by turns from run to run,
/// so that no Westgard rule fires but where `fail_run` asks; the patients' red-cell indices are
/// a stable hospital population's (MCV 89.5 +/- 4 fL, 2 % microcytic, 1 % macrocytic), so the
/// XbarM stays in until `mcv_shift_pct`.
std::vector<std::string> qc_traffic_messages(const QcTraffic& traffic);

/// Control run `run` (from 1) of the simulated XN, measured at `measured` (YYYYMMDDHHMMSS): one
/// message per level of xn_check_levels, within 1.5 SD of the targets (above on even runs,
/// below on odd ones), or +3.5 SD on level 1 when it `fails`.
std::vector<std::string> xn_control_run(std::size_t run, bool fails, std::mt19937& rng,
                                        const std::string& measured);

}  // namespace hemalink::simulate
