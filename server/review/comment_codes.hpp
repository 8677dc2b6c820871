#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hemalink::review {

/// A comment code as stored through the API (`comment_codes`): a text that adds a code or
/// overrides the configuration's, or a removal (no text), even of a configured code.
struct StoredCommentCode {
  std::string code;
  std::optional<std::string> text;  ///< nullopt: removed.
  std::string changed_by;           ///< user:NAME
  std::string changed_at;           ///< ISO 8601, as stored (empty until it is).
};

/// A code the page expands: `.ok` -> "Reviewed, consistent with previous".
struct CommentCodeInForce {
  std::string code;
  std::string text;
  bool is_stored = false;  ///< Added or changed through the API; else the configuration's.
  std::string changed_by;
  std::string changed_at;
};

inline constexpr std::size_t kMaxCommentCodeLetters = 16;
inline constexpr std::size_t kMaxCommentCodeText = 500;

/// Why `code` cannot be a comment code (a dot and 1-16 ASCII letters or digits); nullopt when it
/// can.
std::optional<std::string> comment_code_problem(std::string_view code);
/// Why `text` cannot be a code's text (1-500 characters, not only spaces, no control characters);
/// nullopt when it can.
std::optional<std::string> comment_text_problem(std::string_view text);

/// The codes in force, by code: the configuration's, each replaced or removed by a stored one of
/// the same code, and the stored ones the configuration lacks.
std::vector<CommentCodeInForce> comment_codes_in_force(
    const std::map<std::string, std::string>& configured,
    const std::vector<StoredCommentCode>& stored);

}  // namespace hemalink::review
