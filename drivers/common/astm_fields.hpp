#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/model/result_set.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/charset.hpp"
#include "protocols/common/parse_error.hpp"

namespace hemalink::drivers {

/// Reads the fields of a LIS02-A2 record as a driver needs them: trimmed, unescaped, UTF-8.
/// Field indices are those of Lis2Record::field(): 0 is the record type, so LIS02-A2's field
/// "O-4" is index 3.
class AstmFields {
 public:
  AstmFields(const astm::Lis2Message& message, Charset charset)
      : message_(message), charset_(charset) {}

  /// Field `field` of `record` as text.
  std::string text(const astm::Lis2Record& record, std::size_t field) const;
  /// Component `component` (1-based) of field `field`, as text.
  std::string component(const astm::Lis2Record& record, std::size_t field,
                        std::size_t component) const;
  /// The repeats of field `field`, each as text (empty repeats dropped).
  std::vector<std::string> repeats(const astm::Lis2Record& record, std::size_t field) const;
  /// An error naming the record and field, for a driver to return.
  /// The field is named as LIS02-A2 numbers it (index + 1).
  ParseError error(const astm::Lis2Record& record, std::size_t field, std::string_view what) const;

 private:
  const astm::Lis2Message& message_;
  Charset charset_;
};

/// The analyzer named in H-5 (`model^software version^serial^...`, the model often left-padded).
model::Analyzer analyzer_from_header(const AstmFields& fields, const astm::Lis2Record& header,
                                     std::string_view driver);

/// The patient of a P record: the ID from the first non-empty of `id_fields` (0-based indices:
/// Sysmex uses P-5 = 4, LIS02-A2 P-3 = 2 and P-4 = 3), sex P-9, birth date P-8.
model::Patient patient_from(const AstmFields& fields, const astm::Lis2Record& record,
                            std::initializer_list<std::size_t> id_fields);

/// The error for an R record that comes before any O record.
ParseError result_before_order(const astm::Lis2Record& record);

}  // namespace hemalink::drivers
