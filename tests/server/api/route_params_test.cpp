#include "server/api/route_params.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api/lab_routes.hpp"
#include "tests/server/api/fake_lab.hpp"

namespace hemalink::api {
namespace {

using nlohmann::json;

// time_param of `text` given as ?since=.
Result<std::optional<std::string>, Error> since(const std::string& text) {
  ApiRequest request;
  request.query = {{"since", text}};
  const RouteCall call{request, nullptr, {}};
  return time_param(call, "since");
}

std::string utc_of(const std::string& text) {
  const auto read = since(text);
  if (!read) {
    return "refused: " + read.error().detail;
  }
  return read->value_or("absent");
}

TEST(TimeParam, ReadsEveryFormAsTheUtcInstantPostgreSqlIsGiven) {
  EXPECT_EQ(utc_of("2026-11-28"), "2026-11-28T00:00:00.000000Z") << "a date is its UTC midnight";
  EXPECT_EQ(utc_of("2026-11-28T10:15"), "2026-11-28T10:15:00.000000Z");
  EXPECT_EQ(utc_of("2026-11-28 10:15:07"), "2026-11-28T10:15:07.000000Z");
  EXPECT_EQ(utc_of("2026-11-28T10:15:07.5Z"), "2026-11-28T10:15:07.500000Z");
  EXPECT_EQ(utc_of("2026-11-28T10:15:07.1234564"), "2026-11-28T10:15:07.123456Z");
  EXPECT_EQ(utc_of("2026-11-28T10:15:07.1234566"), "2026-11-28T10:15:07.123457Z");
  EXPECT_EQ(utc_of("2026-12-31T23:59:59.9999996Z"), "2027-01-01T00:00:00.000000Z")
      << "rounded to microseconds as PostgreSQL rounds, after the clock was checked";
  EXPECT_EQ(utc_of("2026-11-28T00:30+01:00"), "2026-11-27T23:30:00.000000Z");
  EXPECT_EQ(utc_of("2026-11-28T00:30+0100"), "2026-11-27T23:30:00.000000Z");
  EXPECT_EQ(utc_of("2026-11-28T00:30+01"), "2026-11-27T23:30:00.000000Z");
  EXPECT_EQ(utc_of("2026-11-28T00:30-05:30"), "2026-11-28T06:00:00.000000Z");
  EXPECT_EQ(utc_of("2026-11-28T00:30-15:59"), "2026-11-28T16:29:00.000000Z");
  EXPECT_EQ(utc_of("2024-02-29"), "2024-02-29T00:00:00.000000Z") << "a leap day";
  EXPECT_EQ(utc_of("2000-02-29"), "2000-02-29T00:00:00.000000Z") << "a leap day";
  EXPECT_EQ(utc_of("2999-01-01"), "2999-01-01T00:00:00.000000Z");
}

TEST(TimeParam, AnAbsentParameterIsNone) {
  ApiRequest request;
  const RouteCall call{request, nullptr, {}};
  const auto until = time_param(call, "until");
  ASSERT_TRUE(until) << until.error().detail;
  EXPECT_EQ(*until, std::nullopt);
}

TEST(TimeParam, AnImpossibleDateOrTimeIs400NamingTheParameterAndTheValue) {
  for (const std::string text : {"2026-02-30",
                                 "2026-02-29",
                                 "1900-02-29",
                                 "2026-04-31",
                                 "2026-02-00",
                                 "2026-13-01",
                                 "2026-00-10",
                                 "2026-11-28T24:61",
                                 "2026-11-28T24:00",
                                 "2026-11-28T23:60",
                                 "2026-11-28T23:59:60",
                                 "2026-11-28T10:00+16:00",
                                 "2026-11-28T10:00+01:60",
                                 "0000-01-01",
                                 "0001-01-01T00:30+01:00",
                                 "yesterday",
                                 "2026-2-8",
                                 "2026-11-28T10",
                                 "2026-11-28T10:15:07.1234567890",
                                 "2026-11-28Z",
                                 "2026-11-28T10:15+01:"}) {
    const auto read = since(text);
    ASSERT_FALSE(read) << text << " was read";
    const auto& error = read.error();
    EXPECT_EQ(error.code, Errc::BadRequest) << text;
    EXPECT_EQ(status_of(error.code), 400) << text;
    const std::string message = error.detail;
    EXPECT_TRUE(message.starts_with("since: ")) << message;
    EXPECT_NE(message.find('"' + text + '"'), std::string::npos) << message;
  }
}

TEST(TimeParam, SaysWhatIsImpossible) {
  EXPECT_EQ(utc_of("2026-02-30"),
            "refused: since: \"2026-02-30\" is no date: 2026-02 has days 01-28");
  EXPECT_EQ(utc_of("2024-02-30"),
            "refused: since: \"2024-02-30\" is no date: 2024-02 has days 01-29");
  EXPECT_EQ(utc_of("2026-13-01"), "refused: since: \"2026-13-01\" is no date: months are 01-12");
  EXPECT_EQ(utc_of("2026-11-28T24:61"),
            "refused: since: \"2026-11-28T24:61\" is no time of day: hours are 00-23, minutes "
            "and seconds 00-59");
  EXPECT_EQ(utc_of("2026-11-28T10:00+16:00"),
            "refused: since: \"2026-11-28T10:00+16:00\" has no zone offset PostgreSQL reads "
            "(-15:59 to +15:59)");
}

TEST(StoreErrorAnswer, AValueTheDatabaseCannotReadIs400AndAnUnreachableOne503) {
  const auto answered = [](store::StoreErrc code) {
    const auto read = stored(Result<std::string, Error>(
        Error{make_error_code(code), "reading the audit log: ERROR: bad"}));
    return read ? 200 : status_of(read.error().code);
  };
  EXPECT_EQ(answered(store::StoreErrc::BadValue), 400);
  EXPECT_EQ(answered(store::StoreErrc::Retryable), 503);
  EXPECT_EQ(answered(store::StoreErrc::Fatal), 500);
}

TEST(StoreErrorAnswer, ABadValueIsAnsweredWithTheDatabasesFirstLine) {
  const auto read = stored(Result<void, Error>(
      Error{make_error_code(store::StoreErrc::BadValue),
            "reading the audit log: ERROR:  date/time field value out of range: "
            "\"2026-02-30\"\nCONTEXT:  unnamed portal parameter $2 = '...'"}));
  ASSERT_FALSE(read) << "answered as a success";
  EXPECT_EQ(read.error().code, Errc::BadRequest);
  EXPECT_EQ(read.error().detail,
            "reading the audit log: ERROR:  date/time field value out of range: "
            "\"2026-02-30\"");
}

// Every route with a time parameter refuses an impossible one before it reads the database: the
// fakes' records fail every read with a database that cannot be reached (a route that read them
// would answer 503).
TEST(TimeParam, EveryRouteWithATimeAnswers400ForAnImpossibleOneWithoutTheDatabase) {
  testing::FakeLab lab;
  const auto unreachable =
      testing::store_error(store::StoreErrc::Retryable, "the database is not there");
  lab.records.failure = unreachable;
  lab.qc.failure = unreachable;
  const auto router = lab.router();
  int checked = 0;
  for (const auto& route : router.routes()) {
    for (const auto& key : route.query_keys) {
      if (key != "since" && key != "until") {
        continue;
      }
      if (route.pattern == kEventsPath) {
        continue;  // its since is an event's sequence number
      }
      ApiRequest request;
      request.method = route.method;
      request.path = route.pattern;
      for (const auto& [name, value] : {std::pair{"{analyzer}", "xn-1"}, {"{test}", "WBC"}}) {
        if (const auto at = request.path.find(name); at != std::string::npos) {
          request.path.replace(at, std::string_view(name).size(), value);
        }
      }
      request.query = {{key, "2026-02-30"}};
      request.authorization = "Bearer " + lab.viewer.token;
      request.request_id = "test-1";
      const auto answer = router.answer(request);
      EXPECT_EQ(answer.status, 400) << request.path << "?" << key << ": " << answer.body;
      const auto message = json::parse(answer.body)["error"]["message"].get<std::string>();
      EXPECT_TRUE(message.starts_with(key + ": \"2026-02-30\"")) << message;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7) << "results (since, until), audit, analyzers, rule firings, the QC "
                           "series and the QC averages";
}

}  // namespace
}  // namespace hemalink::api
