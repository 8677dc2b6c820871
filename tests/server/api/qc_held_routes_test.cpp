// The held groups of failed QC runs over the fakes: the groups with their gate now, one action on
// a group handed to the review desk as one apply_all (every still-held result by default, or the
// chosen ones), results decided meanwhile skipped and named, one event per decided result, and
// the bodies and paths refused naming what was wrong.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

using Clock = std::chrono::system_clock;

constexpr const char* kPath = "/api/v1/qc/held/xn-1/WBC/2026-12-07T10:05:00Z";

std::string message_of(const ApiResponse& r) {
  return json::parse(r.body)["error"]["message"].get<std::string>();
}

Clock::time_point at(int hour, int minute) {
  return std::chrono::sys_days(std::chrono::year(2026) / 12 / 7) + std::chrono::hours(hour) +
         std::chrono::minutes(minute);
}

qc::TestGate gate(records::GateStatus status, std::optional<Clock::time_point> rejected_at) {
  return {"xn-1",
          "WBC",
          {status, true, status == records::GateStatus::Out ? "QC rejected" : ""},
          at(10, 5),
          rejected_at};
}

// Two held (S-1, S-2) and one decided by anna (S-3).
void three_members(FakeLab& lab) {
  lab.qc.group_document = R"({"members":[
    {"result_id":11,"specimen_id":"S-1","test":"WBC","is_held":true},
    {"result_id":12,"specimen_id":"S-2","test":"WBC","is_held":true},
    {"result_id":13,"specimen_id":"S-3","test":"WBC","is_held":false,"decision":"release",
     "decided_by":"user:anna","decided_at":"2026-12-07T10:40:00+00:00"}]})";
}

review::ReviewAnswer applied(long long id, const char* decision) {
  return {review::ReviewOutcome::Applied,
          fmt::format(R"({{"result_id":{},"decision":"{}","decided_by":"user:tom","reason":"ok"}})",
                      id, decision),
          ""};
}

TEST(QcHeldRoutes, AGroupSaysWhetherItsGateIsStillOutForTheSameRejection) {
  FakeLab lab;
  lab.qc.document = R"({"groups":[
    {"analyzer":"xn-1","test":"WBC","rejected_at":"2026-12-07T10:05:00Z",
     "accepted_at":"2026-12-07T10:55:00+00:00","held":[]}]})";
  lab.daemon.gates = {gate(records::GateStatus::Out, at(10, 5))};
  const auto router = lab.router();
  const auto out =
      json::parse(router.answer(request("GET", "/api/v1/qc/held", lab.viewer.token)).body);
  EXPECT_EQ(out["groups"][0]["still_out"], true);
  EXPECT_TRUE(out["groups"][0]["accepted_at"].is_null());
  EXPECT_EQ(out["groups"][0]["gate"]["status"], "out");

  lab.daemon.gates = {gate(records::GateStatus::In, std::nullopt)};
  const auto back =
      json::parse(router.answer(request("GET", "/api/v1/qc/held", lab.viewer.token)).body);
  EXPECT_EQ(back["groups"][0]["still_out"], false);
  EXPECT_EQ(back["groups"][0]["accepted_at"], "2026-12-07T10:55:00+00:00");
  EXPECT_EQ(back["groups"][0]["gate"]["status"], "in");

  lab.daemon.gates = {gate(records::GateStatus::Out, at(11, 30))};
  const auto again =
      json::parse(router.answer(request("GET", "/api/v1/qc/held", lab.viewer.token)).body);
  EXPECT_EQ(again["groups"][0]["still_out"], false) << "out again, for a later rejection";
}

TEST(QcHeldRoutes, OneActionDecidesEveryStillHeldResultTogetherAndPublishesEach) {
  FakeLab lab;
  three_members(lab);
  lab.review.answers = {{11, applied(11, "release")}, {12, applied(12, "release")}};
  const auto events = lab.events.subscribe([] {}, std::nullopt);
  const auto r = lab.router().answer(request("POST", kPath, lab.technologist.token, {},
                                             R"({"verdict":"release","comment":"QC repeat ok"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(lab.qc.groups_asked, std::vector<std::string>{"xn-1/WBC/2026-12-07T10:05:00Z"});
  ASSERT_EQ(lab.review.applied_together.size(), 1u);
  const auto& together = lab.review.applied_together[0];
  ASSERT_EQ(together.size(), 2u);
  for (std::size_t i = 0; i < together.size(); ++i) {
    EXPECT_EQ(together[i].result_id, 11 + static_cast<long long>(i));
    EXPECT_EQ(together[i].verdict, review::ReviewVerdict::Release);
    EXPECT_EQ(together[i].actor, "user:tom");
    EXPECT_EQ(together[i].comment, "QC repeat ok");
  }
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["verdict"], "release");
  EXPECT_EQ(body["decided"].size(), 2u);
  EXPECT_TRUE(body["skipped"].empty());
  const auto published = events->take();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(json::parse(*published[0])["type"], "released");
  EXPECT_EQ(json::parse(*published[0])["result_id"], 11);
  EXPECT_EQ(json::parse(*published[1])["result_id"], 12);
}

TEST(QcHeldRoutes, WhatAFailedRunHeldIsNotReleasedWhileTheGateIsOutButCanBeRerun) {
  FakeLab lab;
  three_members(lab);
  lab.daemon.gates = {gate(records::GateStatus::Out, at(10, 5))};
  const auto release =
      lab.router().answer(request("POST", kPath, lab.technologist.token, {},
                                  R"({"verdict":"release","comment":"looks fine"})"));
  ASSERT_EQ(release.status, 409) << release.body;
  EXPECT_NE(message_of(release).find("the QC of WBC on xn-1 is out now (QC rejected)"),
            std::string::npos)
      << message_of(release);
  EXPECT_TRUE(lab.review.applied_together.empty()) << "nothing decided";
  lab.review.answers = {{11, applied(11, "rerun")}, {12, applied(12, "rerun")}};
  const auto rerun = lab.router().answer(request("POST", kPath, lab.technologist.token, {},
                                                 R"({"verdict":"rerun","comment":"after QC"})"));
  EXPECT_EQ(rerun.status, 200) << rerun.body;
  ASSERT_EQ(lab.review.applied_together.size(), 1u);
}

TEST(QcHeldRoutes, ChosenResultsOnlyAndOneDecidedMeanwhileIsSkippedByName) {
  FakeLab lab;
  three_members(lab);
  lab.review.answers = {
      {12,
       {review::ReviewOutcome::NotHeld,
        R"({"decision":"reject","decided_by":"user:anna","decided_at":"2026-12-07T10:41:00+00:00"})",
        ""}},
      {13, applied(13, "rerun")}};
  lab.review.answers[13].ordered_again = "S-3";
  const auto r =
      lab.router().answer(request("POST", kPath, lab.technologist.token, {},
                                  R"({"verdict":"rerun","comment":"x","result_ids":[12,13]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(lab.review.applied_together.at(0).size(), 2u);
  EXPECT_EQ(lab.review.applied_together[0][0].verdict, review::ReviewVerdict::Rerun);
  const auto body = json::parse(r.body);
  ASSERT_EQ(body["skipped"].size(), 1u);
  EXPECT_EQ(body["skipped"][0]["result_id"], 12);
  EXPECT_EQ(body["skipped"][0]["specimen_id"], "S-2");
  EXPECT_EQ(body["skipped"][0]["decided_by"], "user:anna");
  EXPECT_EQ(body["decided"].size(), 1u);
  EXPECT_EQ(lab.daemon.changed_orders, std::vector<std::string>{"S-3"});
}

TEST(QcHeldRoutes, AResultTheRunDidNotHoldIsRefusedBeforeAnythingIsDecided) {
  FakeLab lab;
  three_members(lab);
  const auto r =
      lab.router().answer(request("POST", kPath, lab.technologist.token, {},
                                  R"({"verdict":"release","comment":"x","result_ids":[11,99]})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(message_of(r),
            "result_ids: result 99 not held by the run of WBC on xn-1 rejected at "
            "2026-12-07T10:05:00Z");
  EXPECT_TRUE(lab.review.applied_together.empty());
}

TEST(QcHeldRoutes, BodiesPathsAndRolesRefusedNamingWhatWasWrong) {
  FakeLab lab;
  three_members(lab);
  const auto router = lab.router();
  const auto no_comment =
      router.answer(request("POST", kPath, lab.technologist.token, {}, R"({"verdict":"release"})"));
  EXPECT_EQ(no_comment.status, 400);
  EXPECT_NE(message_of(no_comment).find("comment"), std::string::npos) << no_comment.body;
  const auto bad_verdict = router.answer(
      request("POST", kPath, lab.technologist.token, {}, R"({"verdict":"ok","comment":"x"})"));
  EXPECT_EQ(bad_verdict.status, 400);
  EXPECT_NE(message_of(bad_verdict).find("verdict"), std::string::npos) << bad_verdict.body;
  const auto bad_id =
      router.answer(request("POST", kPath, lab.technologist.token, {},
                            R"({"verdict":"reject","comment":"x","result_ids":["a"]})"));
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_NE(message_of(bad_id).find("result_ids[0]"), std::string::npos) << bad_id.body;
  const auto bad_time =
      router.answer(request("POST", "/api/v1/qc/held/xn-1/WBC/yesterday", lab.technologist.token,
                            {}, R"({"verdict":"reject","comment":"x"})"));
  EXPECT_EQ(bad_time.status, 404);
  EXPECT_NE(message_of(bad_time).find("\"yesterday\""), std::string::npos);
  const auto viewer = router.answer(
      request("POST", kPath, lab.viewer.token, {}, R"({"verdict":"reject","comment":"x"})"));
  EXPECT_EQ(viewer.status, 403);
  lab.qc.group_document = R"({"members":[]})";
  const auto none = lab.router().answer(
      request("POST", kPath, lab.technologist.token, {}, R"({"verdict":"reject","comment":"x"})"));
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(message_of(none),
            "the QC gate held no result for the run of WBC on xn-1 rejected at "
            "2026-12-07T10:05:00Z");
  EXPECT_TRUE(lab.review.applied_together.empty());
}

}  // namespace
}  // namespace hemalink::api
