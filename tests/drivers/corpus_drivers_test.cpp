// Every corpus file of each family goes through its driver without error, and what a driver
// returns is consistent: no result is lost between the decoded records and the result sets.
#include <gtest/gtest.h>

#include "tests/support/corpus.hpp"
#include "tests/support/driver_runs.hpp"

namespace hemalink::drivers {
namespace {

TEST(CorpusDrivers, EveryFileTranslatesAndKeepsEveryResultRecord) {
  HL_REQUIRE_CORPUS();
  for (const auto& sub : {"astm", "hl7"}) {
    for (const auto& file : testing::corpus_files(sub)) {
      SCOPED_TRACE(file.filename().string());
      auto doc = testing::translate_file(file, testing::corpus_driver(file));
      ASSERT_TRUE(doc.contains("results"));
      std::size_t result_records = 0;
      for (const auto& message : doc["messages"]) {
        for (const auto& record : message["records"]) {
          result_records += record["type"] == "R" || record["type"] == "OBX";
        }
      }
      std::size_t kept = 0;
      for (const auto& set : doc["results"]) {
        EXPECT_FALSE(set["specimen_id"].get<std::string>().empty());
        kept +=
            set["observations"].size() + set["specimen_flags"].size() + set["attachments"].size();
      }
      EXPECT_EQ(kept, result_records) << "every R/OBX is a result, a flag or an attachment";
    }
  }
}

}  // namespace
}  // namespace hemalink::drivers
