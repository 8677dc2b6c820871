// Liveness and readiness over the fakes: each reason the daemon is not ready, in words.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;
using testing::FakeLab;
using testing::request;

TEST(HealthRoutes, ReadyWhenEverythingAnswers) {
  FakeLab lab;
  const auto router = lab.router();
  EXPECT_EQ(router.answer(request("GET", "/healthz", "")).status, 200);
  const auto r = router.answer(request("GET", "/readyz", ""));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"status":"ready"})"));
}

TEST(HealthRoutes, NotReadyNamesEveryReason) {
  FakeLab lab;
  lab.daemon.serving = false;
  lab.records.failure = testing::store_error(store::StoreErrc::Retryable, "no connection");
  lab.daemon.health.is_degraded = true;
  lab.daemon.health.spooled_pending = 3;
  lab.daemon.health.last_error = "timeout";
  lab.daemon.lis_entries = {{"lis", "hl7", false, nullptr}, {"lab-2", "astm", true, nullptr}};
  const auto r = lab.router().answer(request("GET", "/readyz", ""));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["reasons"],
            json({"the analyzer listeners are not all bound (starting or stopping)",
                  "the database does not answer: no connection",
                  "the store is spooling (3 receipts waiting): it cannot write to the database: "
                  "timeout",
                  "LIS destination lis is not connected"}));
}

}  // namespace
}  // namespace hemalink::api
