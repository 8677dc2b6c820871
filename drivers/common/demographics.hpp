#pragma once

#include <string>
#include <string_view>

namespace hemalink::drivers {

/// Whether a demographic field holds a placeholder rather than a value: the HL7 null `""`, or
/// text a sender's template left in place of the value (the field's own name or a marker). The
/// list, compared case-insensitively with surrounding spaces ignored: NULL, NONE, N/A, -, ?, XXX,
/// TBD, SEX, GENDER, DOB, BIRTHDATE, BIRTH DATE, DATE OF BIRTH, YYYYMMDD, PATIENT ID, PATIENTID,
/// PID, MRN. An empty field is not a placeholder: it is just empty.
bool is_placeholder(std::string_view value);

/// A patient's sex as an HL7 Table 0001 code: M, F, O, U, A, N as sent or as the word (Male,
/// Female, Other, Unknown, Ambiguous, Not applicable), in any case; empty for a placeholder;
/// anything else as sent (trimmed), for the rules to see.
std::string patient_sex(std::string_view value);

/// YYYYMMDD from a date or date-time (HL7 DTM, ASTM); empty for a placeholder or anything that
/// does not start with eight digits.
std::string birth_date(std::string_view value);

/// `value` trimmed, or empty when it is a placeholder: for IDs and locations.
std::string demographic_text(std::string_view value);

}  // namespace hemalink::drivers
