#include "tests/bench/cbc_messages.hpp"

#include <fmt/format.h>

#include <random>

namespace hemalink::bench {
namespace {

struct Analyte {
  const char* code;
  const char* loinc;
  const char* units;
  double low;
  double high;
  int decimals;
};

constexpr Analyte kCbc[] = {
    {"WBC", "6690-2", "10*3/uL", 4.0, 11.0, 2},
    {"RBC", "789-8", "10*6/uL", 3.9, 5.6, 2},
    {"HGB", "718-7", "g/dL", 11.5, 17.0, 1},
    {"HCT", "4544-3", "%", 35.0, 50.0, 1},
    {"MCV", "787-2", "fL", 80.0, 100.0, 1},
    {"MCH", "785-6", "pg", 27.0, 33.0, 1},
    {"MCHC", "786-4", "g/dL", 31.5, 36.0, 1},
    {"PLT", "777-3", "10*3/uL", 150, 400, 0},
    {"RDW-SD", "21000-5", "fL", 37.0, 54.0, 1},
    {"RDW-CV", "788-0", "%", 11.5, 14.5, 1},
    {"PDW", "32207-3", "fL", 9.0, 17.0, 1},
    {"MPV", "32623-1", "fL", 9.0, 13.0, 1},
    {"P-LCR", "48386-7", "%", 13.0, 43.0, 1},
    {"PCT", "51637-7", "%", 0.17, 0.35, 2},
    {"NEUT#", "751-8", "10*3/uL", 1.8, 7.5, 2},
    {"LYMPH#", "731-0", "10*3/uL", 1.0, 4.8, 2},
    {"MONO#", "742-7", "10*3/uL", 0.1, 1.0, 2},
    {"EO#", "711-2", "10*3/uL", 0.0, 0.5, 2},
    {"BASO#", "704-7", "10*3/uL", 0.0, 0.1, 2},
    {"NEUT%", "770-8", "%", 40, 75, 1},
    {"LYMPH%", "736-9", "%", 20, 45, 1},
    {"MONO%", "5905-5", "%", 2, 10, 1},
    {"EO%", "713-8", "%", 0, 6, 1},
    {"BASO%", "706-2", "%", 0, 1, 1},
    {"IG#", "51584-1", "10*3/uL", 0, 0.1, 2},
    {"IG%", "38518-7", "%", 0, 1, 1},
    {"NRBC#", "30392-5", "10*3/uL", 0, 0.01, 2},
    {"RET%", "17849-1", "%", 0.5, 2.5, 2},
    {"RET#", "60474-4", "10*6/uL", 0.02, 0.1, 4},
    {"IRF", "33516-6", "%", 2, 15, 1},
};

const char* flag_for(double value, const Analyte& a) {
  return value < a.low ? "L" : value > a.high ? "H" : "N";
}

}  // namespace

std::vector<std::string> hl7_oru_cbc_messages(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = fmt::format(
        "MSH|^~\\&|XN-1000^00-21^11001|LAB|hemalink|LAB|20260101{:06}||ORU^R01^ORU_R01|M{:08}|P|"
        "2.5.1|||AL|NE||UNICODE UTF-8\r"
        "PID|1||P{:07}^^^HOSP^MR||Patient^Test||19700101|F\r"
        "PV1|1|O|WARD^101^1\r"
        "OBR|1|ORD{:07}|SMP{:08}|57021-8^CBC W Auto Differential panel^LN|||20260101101500|||||"
        "||20260101101600|||||||||||F\r",
        m % 240000, m, m, m, m);
    int set = 1;
    for (const auto& a : kCbc) {
      std::uniform_real_distribution<double> dist(a.low * 0.8, a.high * 1.2);
      const double v = dist(rng);
      s += fmt::format(
          "OBX|{}|NM|{}^{}^LN||{:.{}f}|{}|{}-{}|{}|||F|||20260101101500||"
          "XN-1000^Sysmex\r",
          set++, a.loinc, a.code, v, a.decimals, a.units, a.low, a.high, flag_for(v, a));
    }
    s += "NTE|1|L|IP Message: Blasts/Abn_Lympho? 40\r";
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> astm_cbc_messages(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = fmt::format(
        "H|\\^&|||XN-1000^00-21^11001^^^^A1234||||||||E1394-97\r"
        "P|1|||P{:07}|^Test^Patient||19700101|F\r"
        "O|1||^^          SMP{:08}^B|^^^^WBC\\^^^^RBC\\^^^^HGB\\^^^^PLT|||||||N||||||||||||||F\r",
        m, m);
    int seq = 1;
    for (const auto& a : kCbc) {
      std::uniform_real_distribution<double> dist(a.low * 0.8, a.high * 1.2);
      const double v = dist(rng);
      s += fmt::format("R|{}|^^^^{}^1|{:.{}f}|{}||{}||F||||20260101101500\r", seq++, a.code, v,
                       a.decimals, a.units, flag_for(v, a));
    }
    s += "L|1|N\r";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hemalink::bench
