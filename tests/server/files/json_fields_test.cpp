#include "server/files/json_fields.hpp"

#include <gtest/gtest.h>

namespace hemalink::files {
namespace {

using nlohmann::json;

// What a reader of `text` finds, one error per key it reads: the path and the code.
std::vector<std::pair<std::string, std::error_code>> found(const std::string& text) {
  FileErrors errors;
  {
    const auto object = json::parse(text);
    JsonFields f(object, "analyzers[0]", errors);
    std::string name;
    std::int64_t port = 0;
    bool tls = false;
    f.text("name", name, true);
    f.integer("port", port, 1, 65535);
    f.boolean("tls", tls);
    f.choice("protocol", {"astm", "hl7"});
  }
  std::vector<std::pair<std::string, std::error_code>> out;
  for (const auto& e : errors) {
    out.emplace_back(e.where, e.code);
  }
  return out;
}

using Found = std::vector<std::pair<std::string, std::error_code>>;

TEST(JsonFields, EachErrorSaysHowTheValueIsWrong) {
  EXPECT_EQ(found(R"({"name": "XN", "port": 4001, "tls": true, "protocol": "astm"})"), Found{});
  EXPECT_EQ(found(R"({"port": 4001})"), (Found{{"analyzers[0].name", Errc::Missing}}));
  EXPECT_EQ(found(R"({"name": ""})"), (Found{{"analyzers[0].name", Errc::Missing}}));
  EXPECT_EQ(found(R"({"name": 7, "port": "4001", "tls": "yes", "protocol": 2})"),
            (Found{{"analyzers[0].name", Errc::WrongType},
                   {"analyzers[0].port", Errc::WrongType},
                   {"analyzers[0].tls", Errc::WrongType},
                   {"analyzers[0].protocol", Errc::WrongType}}));
  EXPECT_EQ(
      found(R"({"name": "XN", "port": 70000, "protocol": "hl8"})"),
      (Found{{"analyzers[0].port", Errc::BadValue}, {"analyzers[0].protocol", Errc::BadValue}}));
  EXPECT_EQ(found(R"({"name": "XN", "prot": 4001})"),
            (Found{{"analyzers[0].prot", Errc::Unknown}}));
  EXPECT_EQ(found(R"([1])"), (Found{{"analyzers[0]", Errc::WrongType}}));
}

TEST(JsonFields, AReadersOwnJudgementIsABadValueUnlessItSaysOtherwise) {
  FileErrors errors;
  {
    const json object = {{"sd", 0}};
    JsonFields f(object, "", errors);
    f.ignore_other_keys();
    f.error("sd", "expected an SD above 0");
    f.error(Errc::Unreadable, "tokens_file", "cannot read tokens.json");
  }
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, Errc::BadValue);
  EXPECT_EQ(errors[1].code, Errc::Unreadable);
  EXPECT_EQ(errors[1].describe(), "tokens_file: cannot read tokens.json");
}

TEST(JsonFields, TextThatIsNotJsonSaysWhere) {
  const auto parsed = parse_json("{\n  \"a\": ,\n}", "lab.json");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Errc::NotJson);
  ASSERT_TRUE(parsed.error().at);
  EXPECT_EQ(parsed.error().at->line, 2u);
  EXPECT_TRUE(parsed.error().describe().starts_with("lab.json:2:")) << parsed.error().describe();
}

}  // namespace
}  // namespace hemalink::files
