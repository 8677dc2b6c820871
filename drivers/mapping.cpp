#include "drivers/mapping.hpp"

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

}  // namespace hemalink::drivers
