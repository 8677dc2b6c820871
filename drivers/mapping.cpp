#include "drivers/mapping.hpp"

#include <algorithm>

namespace hemalink::drivers {

void MappingTable::set(std::string raw_code, CodeMapping mapping) {
  entries_.insert_or_assign(std::move(raw_code), std::move(mapping));
}

const CodeMapping* MappingTable::find(std::string_view raw_code) const {
  auto it = entries_.find(raw_code);
  return it == entries_.end() ? nullptr : &it->second;
}

void MappingTable::merge(const MappingTable& overrides) {
  for (const auto& [code, mapping] : overrides.entries_) {
    entries_.insert_or_assign(code, mapping);
  }
}

std::optional<std::string> MappingTable::order_code(std::string_view canonical) const {
  for (const auto& [raw, mapping] : entries_) {
    if (mapping.role == CodeRole::Result && mapping.code == canonical) {
      return mapping.order_code.empty() ? raw : mapping.order_code;
    }
  }
  return std::nullopt;
}

std::map<std::string, std::string, std::less<>> MappingTable::test_names() const {
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [raw, mapping] : entries_) {
    if (mapping.role == CodeRole::Result && !mapping.name.empty())
      out.emplace(mapping.code, mapping.name);
  }
  return out;
}

std::vector<std::string> MappingTable::orderable_codes() const {
  std::vector<std::string> out;
  for (const auto& [raw, mapping] : entries_) {
    if (mapping.role == CodeRole::Result &&
        std::find(out.begin(), out.end(), mapping.code) == out.end()) {
      out.push_back(mapping.code);
    }
  }
  return out;
}

}  // namespace hemalink::drivers
