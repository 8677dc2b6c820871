#include "server/lis/lis_observation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace hemalink::lis {
namespace {

char status_of(const OutboxResult& r) {
  if (r.status == "cannot_report") {
    return 'X';
  }
  if (r.is_correction || r.status == "corrected") {
    return 'C';
  }
  return r.status == "preliminary" ? 'P' : 'F';
}

// Decimals written in `text` (the analyzer's precision), when it is a plain number.
int decimals_in(const std::string& text) {
  const auto dot = text.find('.');
  if (dot == std::string::npos) {
    return 0;
  }
  int n = 0;
  for (std::size_t i = dot + 1;
       i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    ++n;
  }
  return n;
}

std::optional<double> number_in(const std::string& text) {
  double v = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return v;
}

std::string converted(double value, double factor, int decimals) {
  return fmt::format("{:.{}f}", value * factor, decimals);
}

// "3.5-5.0" -> "35-50" with factor 10; nullopt for a range that is not two numbers.
std::optional<std::string> converted_range(const std::string& range, double factor,
                                           std::optional<int> decimals) {
  if (range.empty()) {
    return std::string();
  }
  const auto dash = range.find('-', 1);
  if (dash == std::string::npos) {
    return std::nullopt;
  }
  const auto low_text = range.substr(0, dash);
  const auto high_text = range.substr(dash + 1);
  const auto low = number_in(low_text);
  const auto high = number_in(high_text);
  if (!low || !high) {
    return std::nullopt;
  }
  return fmt::format("{}-{}", converted(*low, factor, decimals.value_or(decimals_in(low_text))),
                     converted(*high, factor, decimals.value_or(decimals_in(high_text))));
}

}  // namespace

Result<LisObservation, Error> lis_observation(const OutboxResult& r,
                                              const config::LisMapping& mapping) {
  LisObservation o;
  o.status = status_of(r);
  o.comparator = r.comparator;
  o.is_numeric = r.numeric_value.has_value();
  o.units = r.units;
  o.reference_range = r.reference_range;
  o.value = r.value;
  if (!r.comparator.empty() && r.value.starts_with(r.comparator)) {
    o.value = r.value.substr(r.comparator.size());
    while (!o.value.empty() && o.value.front() == ' ') {
      o.value.erase(0, 1);
    }
  }
  const auto* lis = mapping.find(r.code);
  if (lis != nullptr) {
    o.code = lis->code;
    o.text = lis->text;
    o.coding_system = lis->coding_system.empty() ? mapping.coding_system : lis->coding_system;
    if (!lis->units.empty()) {
      o.units = lis->units;
    }
    if (!lis->units.empty() && lis->factor != 1.0) {
      if (o.is_numeric) {
        const int decimals = lis->decimals.value_or(decimals_in(o.value));
        o.value = converted(*r.numeric_value, lis->factor, decimals);
      }
      auto range = converted_range(r.reference_range, lis->factor, lis->decimals);
      if (!range) {
        return Error{Errc::Unconvertible,
                     fmt::format("result {} ({}): reference range \"{}\" is not LOW-HIGH and "
                                 "cannot be converted to {}",
                                 r.id, r.code, r.reference_range, lis->units)};
      }
      o.reference_range = *range;
    }
  } else if (!r.loinc.empty()) {
    o.code = r.loinc;
    o.coding_system = "LN";
  } else {
    o.code = r.code;
    o.coding_system = kCanonicalCodingSystem;
  }
  return o;
}

Result<std::vector<LisObservation>, Error> lis_observations(const OutboxContent& c,
                                                            const config::LisMapping& mapping) {
  if (c.results.empty()) {
    return Error{Errc::NoResult, "the row names no result"};
  }
  std::vector<LisObservation> observations;
  for (const auto& r : c.results) {
    auto o = lis_observation(r, mapping);
    if (!o) {
      return o.error();
    }
    observations.push_back(std::move(*o));
  }
  return observations;
}

bool has_correction(const std::vector<LisObservation>& observations) {
  return std::any_of(observations.begin(), observations.end(),
                     [](const auto& o) { return o.status == 'C'; });
}

LisPanel lis_panel(const OutboxSpecimen& specimen, const config::LisMapping& mapping) {
  if (const auto* p = mapping.panel(specimen.analyzer, specimen.driver)) {
    return {p->code, p->text, p->coding_system.empty() ? mapping.coding_system : p->coding_system};
  }
  if (specimen.driver == "sysmex-xn") {
    return {"58410-2", "CBC panel - Blood by Automated count", "LN"};
  }
  if (specimen.driver == "sysmex-cs") {
    return {"COAG", "Coagulation studies", kCanonicalCodingSystem};
  }
  if (specimen.driver == "bd-facs") {
    return {"LYMPH_SUBSETS", "Lymphocyte subsets", kCanonicalCodingSystem};
  }
  return {"RESULTS", "Analyzer results", kCanonicalCodingSystem};
}

std::string control_id_of(long long outbox_id) {
  return fmt::format("HL{}", outbox_id);
}

std::string protocol_time(const std::string& t) {
  std::string digits;
  for (char c : t) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (c != '-' && c != ':' && c != 'T' && c != ' ' && c != '/') {
      break;  // a zone, fractions or words: keep what came before
    }
  }
  const bool is_date_first = digits.size() >= 8 && (t.starts_with("19") || t.starts_with("20"));
  if (!is_date_first || (digits.size() != 8 && digits.size() != 12 && digits.size() != 14)) {
    return {};
  }
  return digits;
}

}  // namespace hemalink::lis
