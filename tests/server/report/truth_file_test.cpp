// The truth file of a lab day: JSON Lines read strictly, every error naming the file and line.
#include "server/report/truth_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hemalink::report {
namespace {

std::string all_errors(const files::FileErrors& errors) {
  return files::describe(errors, "\n");
}

TEST(TruthFile, ReadsEverySpecimenWithItsLine) {
  const auto truth = parse_truth(
      R"({"specimen_id": "0010000001", "profile": "hospital", "condition": "healthy", "must_review": false, "why": ""})"
      "\n\n"
      R"({"specimen_id": "0010000002", "profile": "oncology", "condition": "acute-leukaemia", "must_review": true, "why": "blasts present"})"
      "\r\n",
      "day.jsonl");
  ASSERT_TRUE(truth) << all_errors(truth.error());
  ASSERT_EQ(truth->size(), 2u);
  EXPECT_EQ((*truth)[0].specimen_id, "0010000001");
  EXPECT_EQ((*truth)[0].profile, "hospital");
  EXPECT_FALSE((*truth)[0].truth.must_review);
  EXPECT_EQ((*truth)[0].line, 1u);
  EXPECT_EQ((*truth)[1].truth.condition, "acute-leukaemia");
  EXPECT_TRUE((*truth)[1].truth.must_review);
  EXPECT_EQ((*truth)[1].truth.why, "blasts present");
  EXPECT_EQ((*truth)[1].line, 3u) << "the blank line counts";
}

TEST(TruthFile, ALineThatIsNotJsonIsNamedByFileAndLine) {
  const auto truth = parse_truth(
      R"({"specimen_id": "A", "profile": "hospital", "condition": "healthy", "must_review": false})"
      "\n"
      R"({"specimen_id": "B", "profile": "hospital", "condition": )"
      "\n",
      "day.jsonl");
  ASSERT_FALSE(truth);
  ASSERT_EQ(truth.error().size(), 1u);
  EXPECT_EQ(truth.error()[0].file, "day.jsonl");
  ASSERT_TRUE(truth.error()[0].at);
  EXPECT_EQ(truth.error()[0].at->line, 2u);
  EXPECT_NE(truth.error()[0].describe().find("day.jsonl:2:"), std::string::npos)
      << truth.error()[0].describe();
  EXPECT_NE(truth.error()[0].describe().find("not JSON"), std::string::npos);
}

TEST(TruthFile, EveryBadLineIsReportedWithItsKey) {
  const auto truth = parse_truth(
      R"({"specimen_id": "A", "profile": "hospital", "condition": "healthy"})"
      "\n"
      R"({"specimen_id": "B", "profile": "hospital", "condition": "healthy", "must_review": "yes"})"
      "\n"
      R"({"specimen_id": "", "profile": "hospital", "condition": "healthy", "must_review": true})"
      "\n"
      R"({"specimen_id": "C", "profile": "hospital", "condition": "healthy", "must_reveiw": true})"
      "\n"
      R"(["D", "hospital"])"
      "\n",
      "day.jsonl");
  ASSERT_FALSE(truth);
  const auto text = all_errors(truth.error());
  EXPECT_NE(text.find("day.jsonl:1:1: must_review: required"), std::string::npos) << text;
  EXPECT_NE(text.find("day.jsonl:2:1: must_review:"), std::string::npos) << text;
  EXPECT_NE(text.find("day.jsonl:3:1: specimen_id: must not be empty"), std::string::npos) << text;
  EXPECT_NE(text.find("day.jsonl:4:1: must_reveiw: unknown key"), std::string::npos) << text;
  EXPECT_NE(text.find("day.jsonl:5:1:"), std::string::npos) << text;
}

TEST(TruthFile, ASpecimenListedTwiceNamesBothLines) {
  const std::string line =
      R"({"specimen_id": "A", "profile": "hospital", "condition": "healthy", "must_review": false})";
  const auto truth = parse_truth(line + "\n" + line + "\n", "day.jsonl");
  ASSERT_FALSE(truth);
  EXPECT_EQ(all_errors(truth.error()),
            "day.jsonl:2:1: specimen_id: specimen A is already on line 1");
}

TEST(TruthFile, AFileThatCannotBeReadIsNamed) {
  testing::TempDir dir("truth");
  const auto missing = read_truth_file(dir / "none.jsonl");
  ASSERT_FALSE(missing);
  EXPECT_NE(all_errors(missing.error()).find("none.jsonl: cannot read the truth file"),
            std::string::npos);
  std::ofstream(dir / "day.jsonl")
      << R"({"specimen_id": "A", "profile": "outpatient", "condition": "healthy", "must_review": false, "why": ""})"
      << "\n";
  const auto read = read_truth_file(dir / "day.jsonl");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->at(0).profile, "outpatient");
}

}  // namespace
}  // namespace hemalink::report
