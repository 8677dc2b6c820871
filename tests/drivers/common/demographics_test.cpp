#include "drivers/common/demographics.hpp"

#include <gtest/gtest.h>

#include "drivers/model/result_set.hpp"

namespace hemalink::drivers {
namespace {

TEST(Demographics, PlaceholdersReadAsNoValueInAnyCase) {
  for (const char* p : {"SEX", "sex", " Dob ", "\"\"", "NULL", "n/a", "XXX", "Date of Birth",
                        "YYYYMMDD", "patientid", "MRN", "?", "-"}) {
    EXPECT_TRUE(is_placeholder(p)) << p;
    EXPECT_EQ(patient_sex(p), "") << p;
    EXPECT_EQ(birth_date(p), "") << p;
    EXPECT_EQ(demographic_text(p), "") << p;
  }
  for (const char* v : {"", "M", "F", "U", "MRN100234", "WARD4"}) {
    EXPECT_FALSE(is_placeholder(v)) << v;
  }
}

TEST(Demographics, SexFromTheCodeOrTheWord) {
  EXPECT_EQ(patient_sex("F"), "F");
  EXPECT_EQ(patient_sex("Female"), "F");
  EXPECT_EQ(patient_sex("male"), "M");
  EXPECT_EQ(patient_sex("Unknown"), "U");
  EXPECT_EQ(patient_sex("o"), "O");
  EXPECT_EQ(patient_sex("Not applicable"), "N");
  EXPECT_EQ(patient_sex("W"), "W") << "anything else as sent, for the rules to see";
}

TEST(Demographics, ABirthDateIsItsFirstEightDigits) {
  EXPECT_EQ(birth_date("19610315"), "19610315");
  EXPECT_EQ(birth_date("19900804000000"), "19900804");
  EXPECT_EQ(birth_date("1961-03-15"), "");
  EXPECT_EQ(birth_date("1961"), "");
}

TEST(Priority, FromCodesAndWordsInAnyCase) {
  using model::Priority;
  using model::priority_from_code;
  EXPECT_EQ(priority_from_code("S"), Priority::Stat);
  EXPECT_EQ(priority_from_code("stat"), Priority::Stat);
  EXPECT_EQ(priority_from_code("A"), Priority::Asap);
  EXPECT_EQ(priority_from_code("ASAP"), Priority::Asap);
  EXPECT_EQ(priority_from_code("Urgent"), Priority::Asap);
  EXPECT_EQ(priority_from_code("Routine"), Priority::Routine) << "Epic's ORC-7.6";
  EXPECT_EQ(priority_from_code("R"), Priority::Routine);
  EXPECT_EQ(priority_from_code("T"), Priority::Routine);
  EXPECT_EQ(priority_from_code("Timing critical"), Priority::Routine);
  EXPECT_EQ(priority_from_code("Pre-op"), Priority::Routine);
  EXPECT_EQ(priority_from_code("P"), Priority::Routine);
  EXPECT_EQ(priority_from_code("callback"), Priority::Routine);
  EXPECT_EQ(priority_from_code("PRN"), Priority::Unknown);
  EXPECT_EQ(priority_from_code(""), Priority::Unknown);
}

}  // namespace
}  // namespace hemalink::drivers
