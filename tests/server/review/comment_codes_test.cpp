// The lab's comment codes without a database: which codes and texts are refused and why, and
// which codes are in force when the configuration's and the stored ones meet.
#include "server/review/comment_codes.hpp"

#include <gtest/gtest.h>

namespace hemalink::review {
namespace {

TEST(CommentCodes, ACodeIsADotAndOneToSixteenLettersOrDigits) {
  for (const char* good : {".ok", ".r", ".OK2", ".abcdefghijklmnop"})
    EXPECT_EQ(comment_code_problem(good), std::nullopt) << good;
  for (const char* bad : {"", ".", "ok", "..ok", ".o k", ".ok!", ".abcdefghijklmnopq", ".é"}) {
    const auto problem = comment_code_problem(bad);
    ASSERT_TRUE(problem) << bad;
    EXPECT_EQ(*problem,
              std::string("expected a dot and 1-16 letters or digits (.ok), got \"") + bad + "\"");
  }
}

TEST(CommentCodes, ATextIsOneToFiveHundredCharactersOnOneLine) {
  EXPECT_EQ(comment_text_problem("Reviewed, consistent with previous"), std::nullopt);
  EXPECT_EQ(comment_text_problem(std::string(500, 'x')), std::nullopt);
  std::string umlauts;
  for (int i = 0; i < 500; ++i)
    umlauts += "ä";
  EXPECT_EQ(comment_text_problem(umlauts), std::nullopt) << "characters are counted, not bytes";
  for (const std::string& bad : {std::string(), std::string("   "), std::string(501, 'x')})
    EXPECT_EQ(comment_text_problem(bad), "expected the comment in words (1-500 characters)");
  EXPECT_EQ(comment_text_problem("called\nto the ward"),
            "expected one line without control characters (a tab or a line break)");
}

TEST(CommentCodes, AStoredCodeChangesAddsOrRemovesTheConfigurations) {
  const std::map<std::string, std::string> configured = {
      {".ok", "Reviewed, consistent with previous"},
      {".clot", "Clotted specimen"},
      {".lip", "Lipaemic specimen"}};
  const std::vector<StoredCommentCode> stored = {
      {".clot", "Clot seen: new specimen requested", "user:ada", "2026-11-28T10:15:00Z"},
      {".lip", std::nullopt, "user:ada", "2026-11-28T10:16:00Z"},
      {".new", "Added through the API", "user:ada", "2026-11-28T10:17:00Z"},
      {".gone", std::nullopt, "user:ada", "2026-11-28T10:18:00Z"}};
  const auto codes = comment_codes_in_force(configured, stored);
  ASSERT_EQ(codes.size(), 3u);
  EXPECT_EQ(codes[0].code, ".clot");
  EXPECT_EQ(codes[0].text, "Clot seen: new specimen requested");
  EXPECT_TRUE(codes[0].is_stored);
  EXPECT_EQ(codes[0].changed_by, "user:ada");
  EXPECT_EQ(codes[1].code, ".new");
  EXPECT_TRUE(codes[1].is_stored);
  EXPECT_EQ(codes[2].code, ".ok");
  EXPECT_EQ(codes[2].text, "Reviewed, consistent with previous");
  EXPECT_FALSE(codes[2].is_stored);
  EXPECT_EQ(comment_codes_in_force(configured, {}).size(), 3u);
}

}  // namespace
}  // namespace hemalink::review
