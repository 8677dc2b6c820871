// The comment code routes over a fake review desk: the configuration's codes with the stored ones
// over them, an admin's change, addition and removal (a configured code's too), and each refusal
// naming its field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

struct CodesLab : FakeLab {
  CodesLab() {
    configured = {{".ok", "Reviewed, consistent with previous"}, {".lip", "Lipaemic specimen"}};
  }
  std::map<std::string, std::string> configured;
  Router router() {
    auto view = std::make_shared<LabView>(LabView{records, review, outbox, qc, orders, rules,
                                                  versions, backtests, shadow, daemon, events,
                                                  timings, link_tally, analyzers});
    view->comment_codes = configured;
    return lab_router(view, TokenBook({{"vera", config::ApiRole::Viewer, viewer.sha256},
                                       {"tom", config::ApiRole::Technologist, technologist.sha256},
                                       {"ada", config::ApiRole::Admin, admin.sha256}}));
  }
  json codes(const Router& r) {
    const auto answer = r.answer(request("GET", "/api/v1/review/comments", viewer.token));
    EXPECT_EQ(answer.status, 200) << answer.body;
    return json::parse(answer.body);
  }
};

std::string message_of(const ApiResponse& r) {
  return json::parse(r.body)["error"]["message"].get<std::string>();
}

TEST(CommentCodeRoutes, AViewerReadsTheConfiguredCodes) {
  CodesLab lab;
  const auto router = lab.router();
  EXPECT_EQ(lab.codes(router), json::parse(R"({"codes": [
              {"code": ".lip", "text": "Lipaemic specimen", "source": "configuration"},
              {"code": ".ok", "text": "Reviewed, consistent with previous", "source": "configuration"}],
              "removed": []})"));
}

TEST(CommentCodeRoutes, AnAdminChangesAddsAndRemovesCodesAndTheStoredOnesWin) {
  CodesLab lab;
  const auto router = lab.router();
  const auto changed =
      router.answer(request("PUT", "/api/v1/review/comments/.ok", lab.admin.token, {},
                            R"({"text": "Reviewed: consistent with the previous results"})"));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body),
            json::parse(R"({"code": ".ok", "text": "Reviewed: consistent with the previous results",
                            "source": "api", "changed_by": "user:ada",
                            "changed_at": "2026-11-28T10:15:00Z"})"));
  ASSERT_EQ(router
                .answer(request("PUT", "/api/v1/review/comments/.smear", lab.admin.token, {},
                                R"({"text": "Blood film reviewed"})"))
                .status,
            200);
  const auto removed =
      router.answer(request("DELETE", "/api/v1/review/comments/.lip", lab.admin.token));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(json::parse(removed.body)["removed"], true);
  const auto now = lab.codes(router);
  ASSERT_EQ(now["codes"].size(), 2u) << now.dump();
  EXPECT_EQ(now["codes"][0]["code"], ".ok");
  EXPECT_EQ(now["codes"][0]["text"], "Reviewed: consistent with the previous results");
  EXPECT_EQ(now["codes"][0]["source"], "api");
  EXPECT_EQ(now["codes"][1]["code"], ".smear");
  ASSERT_EQ(now["removed"].size(), 1u);
  EXPECT_EQ(now["removed"][0]["code"], ".lip");
  EXPECT_EQ(now["removed"][0]["changed_by"], "user:ada");
  ASSERT_EQ(lab.review.codes.size(), 3u) << "the removal of a configured code is stored too";
}

TEST(CommentCodeRoutes, OnlyAnAdminChangesCodes) {
  CodesLab lab;
  const auto router = lab.router();
  const std::string body = R"({"text": "x"})";
  EXPECT_EQ(
      router.answer(request("PUT", "/api/v1/review/comments/.x", lab.technologist.token, {}, body))
          .status,
      403);
  EXPECT_EQ(router.answer(request("DELETE", "/api/v1/review/comments/.ok", lab.technologist.token))
                .status,
            403);
  EXPECT_EQ(router.answer(request("GET", "/api/v1/review/comments", "")).status, 401);
  EXPECT_TRUE(lab.review.codes.empty());
}

TEST(CommentCodeRoutes, ABadCodeOrTextIsRefusedNamingTheField) {
  CodesLab lab;
  const auto router = lab.router();
  const auto bad_code = router.answer(
      request("PUT", "/api/v1/review/comments/ok", lab.admin.token, {}, R"({"text": "x"})"));
  EXPECT_EQ(bad_code.status, 400);
  EXPECT_EQ(message_of(bad_code),
            "code: expected a dot and 1-16 letters or digits (.ok), got \"ok\"");
  const auto empty = router.answer(
      request("PUT", "/api/v1/review/comments/.x", lab.admin.token, {}, R"({"text": " "})"));
  EXPECT_EQ(empty.status, 400);
  EXPECT_NE(message_of(empty).find("text: expected the comment in words (1-500 characters)"),
            std::string::npos)
      << message_of(empty);
  const auto long_text = router.answer(request("PUT", "/api/v1/review/comments/.x", lab.admin.token,
                                               {}, json{{"text", std::string(501, 'x')}}.dump()));
  EXPECT_EQ(long_text.status, 400);
  const auto missing = router.answer(
      request("PUT", "/api/v1/review/comments/.x", lab.admin.token, {}, R"({"words": "x"})"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(message_of(missing).find("text"), std::string::npos) << message_of(missing);
  EXPECT_TRUE(lab.review.codes.empty());
}

TEST(CommentCodeRoutes, RemovingACodeNotInForceIs404) {
  CodesLab lab;
  const auto router = lab.router();
  const auto absent =
      router.answer(request("DELETE", "/api/v1/review/comments/.nope", lab.admin.token));
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(message_of(absent), "no comment code .nope is in force");
  ASSERT_EQ(router.answer(request("DELETE", "/api/v1/review/comments/.ok", lab.admin.token)).status,
            200);
  EXPECT_EQ(router.answer(request("DELETE", "/api/v1/review/comments/.ok", lab.admin.token)).status,
            404)
      << "removed already";
}

TEST(CommentCodeRoutes, ADatabaseThatCannotAnswerIs503) {
  CodesLab lab;
  lab.review.failure = testing::store_error(store::StoreErrc::Retryable, "no connection");
  EXPECT_EQ(lab.router().answer(request("GET", "/api/v1/review/comments", lab.viewer.token)).status,
            503);
}

}  // namespace
}  // namespace hemalink::api
