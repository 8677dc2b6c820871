#include "server/rules/rule_file.hpp"

#include <gtest/gtest.h>

#include "server/rules/rule_files.hpp"
#include "server/rules/rule_set.hpp"

namespace hemalink::rules {
namespace {

files::FileErrors errors_of(const std::string& text, const std::string& name = "lab.json") {
  auto read = read_rule_file({name, text});
  if (!read)
    return read.error();
  ADD_FAILURE() << "the file was accepted:\n" << text;
  return {};
}

std::string described(const files::FileErrors& errors) {
  std::string out;
  for (const auto& e : errors)
    out.append(e.describe()).append("\n");
  return out;
}

TEST(RuleFile, ReadsEveryKindOfRule) {
  const std::string text = R"json({
  "version": "cbc-7",
  "rules": [
    {"id": "plt-crit", "description": "critical platelets", "source": "CAP critical list",
     "applies_to": ["PLT"], "when": "value < 20", "action": "hold", "reason": "critical PLT"},
    {"id": "smear", "applies_to": ["WBC"], "when": "flag(\"Blasts?\")", "action": "reflex",
     "reason": "blasts suspected", "reflex_test": "SMEAR"},
    {"id": "mchc", "applies_to": ["HGB"], "when": "has_result(\"HCT\")", "action": "compute",
     "compute": {"code": "MCHC", "expr": "value / result(\"HCT\") * 100", "units": "g/dL",
                 "decimals": 1}},
    {"id": "ok", "applies_to": ["*"], "when": "status == \"final\"", "action": "release"}
  ]
})json";
  auto read = read_rule_file({"cbc.json", text});
  ASSERT_TRUE(read) << described(read.error());
  const auto& file = *read;
  EXPECT_EQ(file.version, "cbc-7");
  ASSERT_EQ(file.rules.size(), 4u);
  EXPECT_EQ(file.rules[0].source, "CAP critical list");
  EXPECT_EQ(file.rules[0].at.line, 4u);
  EXPECT_EQ(file.rules[1].action, model::RuleAction::Reflex);
  EXPECT_EQ(file.rules[1].reflex_test, "SMEAR");
  ASSERT_TRUE(file.rules[2].compute);
  EXPECT_EQ(file.rules[2].compute->code, "MCHC");
  EXPECT_EQ(file.rules[2].compute->decimals, 1);
  EXPECT_TRUE(file.rules[3].applies_to_every_result());
}

TEST(RuleFile, AnExpressionErrorIsShownWhereItIsInTheFile) {
  const std::string text =
      "{\"rules\": [\n"
      "  {\"id\": \"a\", \"applies_to\": [\"WBC\"], \"action\": \"release\",\n"
      "   \"when\": \"flag(\\\"Blasts?\\\") and valu > 3\"}\n"
      "]}";
  const auto errors = errors_of(text);
  ASSERT_EQ(errors.size(), 1u) << described(errors);
  EXPECT_EQ(errors[0].file, "lab.json");
  EXPECT_EQ(errors[0].where, "rule \"a\"");
  ASSERT_TRUE(errors[0].at);
  EXPECT_EQ(errors[0].at->line, 3u);
  // `valu` starts at byte 35 of line 3, after the escaped quotes around Blasts?.
  EXPECT_EQ(errors[0].at->column, 35u) << errors[0].describe();
  EXPECT_EQ(text.substr(text.find("valu >"), 4), "valu");
  EXPECT_TRUE(
      errors[0].describe().starts_with("lab.json:3:35: rule \"a\": when: unknown name \"valu\""))
      << errors[0].describe();
}

// The rule's error keeps the code of what found it: the expression compiler's, or the reader's.
TEST(RuleFile, AnErrorKeepsTheCodeOfWhatFoundIt) {
  const auto codes_of = [](const std::string& rule) {
    std::vector<std::error_code> codes;
    for (const auto& e : errors_of("{\"rules\": [" + rule + "]}")) {
      codes.push_back(e.code);
    }
    return codes;
  };
  using Codes = std::vector<std::error_code>;
  EXPECT_EQ(
      codes_of(R"({"id": "a", "applies_to": ["PLT"], "when": "valu > 3", "action": "release"})"),
      Codes{Errc::UnknownName});
  EXPECT_EQ(
      codes_of(R"({"id": "a", "applies_to": ["PLT"], "when": "value >", "action": "release"})"),
      Codes{Errc::Syntax});
  EXPECT_EQ(codes_of(R"({"id": "a", "aplies_to": ["PLT"], "when": "true", "action": "release",
                         "applies_to": ["PLT"]})"),
            Codes{files::Errc::Unknown});
  EXPECT_EQ(codes_of(R"({"id": "a", "applies_to": ["PLT"], "when": "true"})"),
            Codes{files::Errc::Missing});
  EXPECT_EQ(codes_of(R"({"id": "a", "applies_to": ["PLT"], "when": 3, "action": "release"})"),
            Codes{files::Errc::WrongType});
  EXPECT_EQ(codes_of(R"({"id": "a", "applies_to": ["PLT"], "when": "true", "action": "delete"})"),
            Codes{files::Errc::BadValue});
  const auto not_json = errors_of("{\"rules\": [,]}");
  ASSERT_EQ(not_json.size(), 1u);
  EXPECT_EQ(not_json[0].code, files::Errc::NotJson);
}

TEST(RuleFile, AFileThatCannotBeReadIsUnreadable) {
  const auto missing =
      std::filesystem::temp_directory_path() / "hemalink-no-such-folder" / "x.json";
  const auto loaded = load_rule_files({missing});
  ASSERT_FALSE(loaded);
  ASSERT_EQ(loaded.error().size(), 1u);
  EXPECT_EQ(loaded.error()[0].code, files::Errc::Unreadable);
  EXPECT_EQ(loaded.error()[0].describe(), missing.string() + ": cannot read the rules file");
}

TEST(RuleFile, EveryMistakeIsReportedWithItsRule) {
  const std::string text = R"json({"rules": [
  {"id": "no-reason", "applies_to": ["PLT"], "when": "value < 20", "action": "hold"},
  {"id": "typo", "aplies_to": ["PLT"], "when": "value < 20", "action": "release"},
  {"id": "reflex", "applies_to": ["WBC"], "when": "true", "action": "reflex", "reason": "x"},
  {"id": "calc", "applies_to": ["HGB"], "when": "true", "action": "compute"},
  {"id": "calc-bool", "applies_to": ["HGB"], "when": "true", "action": "compute",
   "compute": {"code": "X", "expr": "value > 1"}},
  {"id": "act", "applies_to": ["HGB"], "when": "true", "action": "delete"},
  {"applies_to": ["HGB"], "when": "true", "action": "release"},
  {"id": "bad-when", "applies_to": ["HGB"], "when": "value >", "action": "release"}
]})json";
  const auto all = described(errors_of(text));
  for (const char* expected : {
           "lab.json:2:3: rule \"no-reason\": reason: a hold rule needs a reason",
           "lab.json:3:31: rule \"typo\": aplies_to: unknown key",
           "rule \"typo\": applies_to: list the codes the rule applies to",
           "rule \"reflex\": reflex_test: a reflex rule names the test it requests",
           "rule \"calc\": compute: required",
           "rule \"calc-bool\": compute.expr: a calculation must give a number, but this is a "
           "condition",
           "rule \"act\": action: expected \"hold\", \"rerun\", \"release\", \"reflex\", "
           "\"comment\" or \"compute\", got \"delete\"",
           "lab.json:9:3: id: required",
           "lab.json:10:61: rule \"bad-when\": when: expected a value, found end of text",
       }) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n in:\n" << all;
  }
}

TEST(RuleFile, NotJsonNamesLineAndColumn) {
  const auto errors = errors_of("{\"rules\": [\n  {\"id\": \"a\",}\n]}");
  ASSERT_EQ(errors.size(), 1u);
  ASSERT_TRUE(errors[0].at);
  EXPECT_EQ(errors[0].at->line, 2u);
  EXPECT_NE(errors[0].message.find("not JSON"), std::string::npos);
}

TEST(RuleFile, ASetWithAnyBadFileIsRefusedAsAWhole) {
  const std::string good =
      R"json({"rules": [{"id": "a", "applies_to": ["PLT"], "when": "true", "action": "release"}]})json";
  const std::string dup =
      R"json({"rules": [{"id": "a", "applies_to": ["WBC"], "when": "true", "action": "release"}]})json";
  auto loaded = RuleSet::load({{"one.json", good}, {"two.json", dup}});
  ASSERT_FALSE(loaded);
  const auto& errors = loaded.error();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].describe(),
            "two.json:1:12: rule \"a\": id: \"a\" is also the id of the rule at one.json:1:12");
  EXPECT_TRUE(RuleSet::load({{"one.json", good}}));
}

}  // namespace
}  // namespace hemalink::rules
