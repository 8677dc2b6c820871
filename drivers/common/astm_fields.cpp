#include "drivers/common/astm_fields.hpp"

#include "drivers/common/demographics.hpp"

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

model::Analyzer analyzer_from_header(const AstmFields& fields, const astm::Lis2Record& header,
                                     std::string_view driver) {
  return {std::string(driver), fields.component(header, 4, 1), fields.component(header, 4, 3),
          fields.component(header, 4, 2)};
}

model::Patient patient_from(const AstmFields& fields, const astm::Lis2Record& record,
                            std::initializer_list<std::size_t> id_fields) {
  model::Patient patient{"", patient_sex(fields.text(record, 8)),
                         birth_date(fields.text(record, 7)), std::nullopt};
  for (auto field : id_fields) {
    patient.id = demographic_text(fields.component(record, field, 1));
    if (!patient.id.empty()) {
      break;
    }
  }
  return patient;
}

ParseError result_before_order(const astm::Lis2Record& record) {
  return {make_error_code(Errc::MissingRecord),
          fmt::format("record {} (R): result before any O record", record.number()),
          record.offset()};
}

}  // namespace hemalink::drivers
