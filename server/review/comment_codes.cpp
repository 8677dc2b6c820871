#include "server/review/comment_codes.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hemalink::review {
namespace {

bool is_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Characters, not bytes: a UTF-8 continuation byte is part of the character before it.
std::size_t characters_in(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

std::optional<std::string> comment_code_problem(std::string_view code) {
  const auto letters = code.empty() ? code : code.substr(1);
  if (code.empty() || code.front() != '.' || letters.empty() ||
      letters.size() > kMaxCommentCodeLetters ||
      !std::all_of(letters.begin(), letters.end(), is_letter_or_digit)) {
    return fmt::format("expected a dot and 1-{} letters or digits (.ok), got \"{}\"",
                       kMaxCommentCodeLetters, code);
  }
  return std::nullopt;
}

std::optional<std::string> comment_text_problem(std::string_view text) {
  const auto n = characters_in(text);
  if (n == 0 || n > kMaxCommentCodeText || text.find_first_not_of(' ') == std::string_view::npos)
    return fmt::format("expected the comment in words (1-{} characters)", kMaxCommentCodeText);
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return "expected one line without control characters (a tab or a line break)";
  }
  return std::nullopt;
}

std::vector<CommentCodeInForce> comment_codes_in_force(
    const std::map<std::string, std::string>& configured,
    const std::vector<StoredCommentCode>& stored) {
  std::map<std::string, CommentCodeInForce> by_code;
  for (const auto& [code, text] : configured)
    by_code[code] = {code, text, false, "", ""};
  for (const auto& s : stored) {
    if (s.text)
      by_code[s.code] = {s.code, *s.text, true, s.changed_by, s.changed_at};
    else
      by_code.erase(s.code);
  }
  std::vector<CommentCodeInForce> out;
  for (auto& [code, entry] : by_code)
    out.push_back(std::move(entry));
  return out;
}

}  // namespace hemalink::review
