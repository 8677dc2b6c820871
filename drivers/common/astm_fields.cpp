#include "drivers/common/astm_fields.hpp"

#include <fmt/format.h>

#include "drivers/common/values.hpp"
#include "drivers/errc.hpp"

namespace hemalink::drivers {

std::string AstmFields::text(const astm::Lis2Record& record, std::size_t field) const {
  return astm::text_of(trim(record.field(field)), message_.delimiters(), charset_);
}

std::string AstmFields::component(const astm::Lis2Record& record, std::size_t field,
                                  std::size_t n) const {
  const auto& d = message_.delimiters();
  return astm::text_of(trim(astm::component(record.field(field), d.component, n)), d, charset_);
}

std::vector<std::string> AstmFields::repeats(const astm::Lis2Record& record,
                                             std::size_t field) const {
  const auto& d = message_.delimiters();
  std::vector<std::string> out;
  const auto raw = record.field(field);
  for (std::size_t i = 1; i <= astm::part_count(raw, d.repeat); ++i) {
    auto value = astm::text_of(trim(astm::component(raw, d.repeat, i)), d, charset_);
    if (!value.empty()) {
      out.push_back(std::move(value));
    }
  }
  return out;
}

ParseError AstmFields::error(const astm::Lis2Record& record, std::size_t field,
                             std::string_view what) const {
  return {make_error_code(Errc::MalformedField),
          fmt::format("record {} ({}), field {}-{}: {}", record.number(), record.type(),
                      record.type(), field + 1, what),
          record.offset()};
}

}  // namespace hemalink::drivers
