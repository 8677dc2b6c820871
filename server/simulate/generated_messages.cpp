#include "server/simulate/generated_messages.hpp"

#include <fmt/format.h>

#include <random>

namespace hemalink::simulate {
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

// Sysmex CS parameter codes and names (config/mappings/sysmex-cs.json), and the LOINC and UCUM
// unit an HL7 sender uses (config/mappings/loinc-coag.json).
struct CoagAnalyte {
  const char* cs_code;
  const char* name;
  const char* cs_units;
  const char* loinc;
  const char* hl7_name;
  const char* units;
  double low;
  double high;
  int decimals;
};

constexpr CoagAnalyte kCoag[] = {
    {"041", "PT INN~sec", "sec", "5902-2", "PT", "s", 10.0, 13.5, 1},
    {"042", "PT INN~%", "%", "5894-1", "PT %", "%", 70.0, 130.0, 1},
    {"043", "PT INN cal~INR", "", "6301-6", "INR", "{INR}", 0.8, 1.2, 2},
    {"051", "APTT FS~sec", "sec", "14979-9", "APTT", "s", 25.0, 36.0, 1},
    {"061", "Fbg~g_L", "g/L", "3255-7", "Fibrinogen (Clauss)", "g/L", 2.0, 4.0, 2},
    {"091", "D-Dimer~ug_mL", "ug/mL", "48065-7", "D-dimer FEU", "ug/mL{FEU}", 0.0, 0.5, 2},
};

constexpr Analyte kFlow[] = {
    {"CD3%", "8124-0", "%", 55.0, 84.0, 1},         {"CD3#", "8122-4", "/uL", 690, 2540, 0},
    {"CD4%", "8123-2", "%", 31.0, 60.0, 1},         {"CD4#", "24467-3", "/uL", 410, 1590, 0},
    {"CD8%", "8101-8", "%", 13.0, 41.0, 1},         {"CD8#", "14135-8", "/uL", 190, 1140, 0},
    {"CD19%", "8117-4", "%", 6.0, 25.0, 1},         {"CD19#", "8116-6", "/uL", 90, 660, 0},
    {"CD16+56%", "8112-5", "%", 5.0, 27.0, 1},      {"CD16+56#", "42190-9", "/uL", 90, 590, 0},
    {"CD4/CD8", "54218-3", "{ratio}", 1.0, 3.6, 2},
};

const char* flag_for(double value, double low, double high) {
  return value < low ? "L" : value > high ? "H" : "N";
}

const char* flag_for(double value, const Analyte& a) {
  return flag_for(value, a.low, a.high);
}

template <typename A>
double draw(std::mt19937& rng, const A& a) {
  std::uniform_real_distribution<double> dist(a.low * 0.8, a.high * 1.2);
  return dist(rng);
}

std::string hl7_header(const char* sender, std::size_t m, std::uint32_t seed, const char* panel) {
  return fmt::format(
      "MSH|^~\\&|{}|LAB|hemalink|LAB|20260101{:06}||ORU^R01^ORU_R01|S{}M{:08}|P|2.5.1|||AL|NE||"
      "UNICODE UTF-8\r"
      "PID|1||P{:07}^^^HOSP^MR||Patient^Test||19700101|F\r"
      "OBR|1|ORD{:07}|S{}N{:08}|{}|||20260101101500|||||||20260101101600|||||||||||F\r",
      sender, m % 240000, seed, m, m % 100000, m, seed, m, panel);
}

std::vector<std::string> astm_coag(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = fmt::format(
        "H|\\^&|||CS-2500^01-70^11234^^^LAB1^BV000001||||||||E1394-97\r"
        "P|1\r"
        "O|1||{:06}^03^     S{}N{:07}^B^||R||||||N\r",
        m % 1000000, seed % 1000, m);
    int seq = 1;
    for (const auto& a : kCoag) {
      const double v = draw(rng, a);
      s += fmt::format("R|{}|^^^{}^{}^100.00^A^^^|{:6.{}f}|{}||{}||||||20260101093000\r", seq++,
                       a.cs_code, a.name, v, a.decimals, a.cs_units, flag_for(v, a.low, a.high));
    }
    s += "L|1|N\r";
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> hl7_coag(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = hl7_header("CS-2500^01-70", m, seed, "34528-0^PT and APTT panel^LN");
    int set = 1;
    for (const auto& a : kCoag) {
      const double v = draw(rng, a);
      s += fmt::format("OBX|{}|NM|{}^{}^LN||{:.{}f}|{}|{}-{}|{}|||F\r", set++, a.loinc, a.hl7_name,
                       v, a.decimals, a.units, a.low, a.high, flag_for(v, a.low, a.high));
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Generic LIS02-A2 layout (O-3 specimen, R-3 component 4 test code), as generic-astm reads it.
std::vector<std::string> astm_flow(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = fmt::format(
        "H|\\^&|||FACSLyric^1.0||||||||LIS2-A2\r"
        "P|1||P{:07}\r"
        "O|1|S{}F{:07}||^^^TBNK|R||||||N||||||||||||||F\r",
        m % 100000, seed % 1000, m);
    int seq = 1;
    for (const auto& a : kFlow) {
      const double v = draw(rng, a);
      s += fmt::format("R|{}|^^^{}|{:.{}f}|{}||{}||F||||20260101101500\r", seq++, a.code, v,
                       a.decimals, a.units, flag_for(v, a));
    }
    s += "L|1|N\r";
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> hl7_flow(std::size_t count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> out;
  for (std::size_t m = 0; m < count; ++m) {
    std::string s = hl7_header("FACSLyric^BD", m, seed, "57790-6^Lymphocyte subset panel^LN");
    int set = 1;
    for (const auto& a : kFlow) {
      const double v = draw(rng, a);
      s += fmt::format("OBX|{}|NM|{}^{}^LN||{:.{}f}|{}|{}-{}|{}|||F\r", set++, a.loinc, a.code, v,
                       a.decimals, a.units, a.low, a.high, flag_for(v, a));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TypicalValue typical_value(std::string_view code) {
  auto mid = [](double low, double high, int decimals, const char* units) {
    return TypicalValue{fmt::format("{:.{}f}", (low + high) / 2, decimals), units};
  };
  for (const auto& a : kCbc) {
    if (code == a.code || code == a.loinc) {
      return mid(a.low, a.high, a.decimals, a.units);
    }
  }
  for (const auto& a : kFlow) {
    if (code == a.code || code == a.loinc) {
      return mid(a.low, a.high, a.decimals, a.units);
    }
  }
  for (const auto& a : kCoag) {
    if (code == a.cs_code || code == a.loinc) {
      return mid(a.low, a.high, a.decimals, code == a.cs_code ? a.cs_units : a.units);
    }
  }
  return {"1", ""};
}

std::optional<Panel> panel_from_name(std::string_view name) {
  if (name == "cbc")
    return Panel::Cbc;
  if (name == "coag")
    return Panel::Coag;
  if (name == "flow")
    return Panel::Flow;
  return std::nullopt;
}

std::vector<std::string> generate(Panel panel, model::WireProtocol protocol, std::size_t count,
                                  std::uint32_t seed) {
  const bool is_hl7 = protocol == model::WireProtocol::Hl7;
  switch (panel) {
    case Panel::Cbc:
      return is_hl7 ? hl7_oru_cbc_messages(count, seed) : astm_cbc_messages(count, seed);
    case Panel::Coag:
      return is_hl7 ? hl7_coag(count, seed) : astm_coag(count, seed);
    case Panel::Flow:
      return is_hl7 ? hl7_flow(count, seed) : astm_flow(count, seed);
  }
  return {};
}

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
    // An IP message as the XN sends it (the driver's flag): a Q-flag score below its threshold.
    s += fmt::format("OBX|{}|NM|Blasts/Abn_Lympho?^Blasts/Abn_Lympho?^99SYSMEX||40||||||F\r", set);
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

}  // namespace hemalink::simulate
