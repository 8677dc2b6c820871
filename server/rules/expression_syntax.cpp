#include "server/rules/expression_syntax.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace hemalink::rules {
namespace {

struct Token {
  enum class Kind { End, Number, String, Duration, Word, Symbol };
  Kind kind = Kind::End;
  TextPosition at;
  std::string text;
  double number = 0;
};

constexpr std::size_t kMaxDepth = 64;  // nesting: a guard against hostile rule files

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<void, ExpressionError> next(Token& out) {
    skip_space();
    out = Token{};
    out.at = position_;
    if (at_ >= text_.size()) {
      return {};
    }
    const char c = text_[at_];
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && digit_at(at_ + 1))) {
      return number(out);
    }
    if (c == '"') {
      return string(out);
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      out.kind = Token::Kind::Word;
      while (at_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) {
        out.text.push_back(text_[at_]);
        advance();
      }
      return {};
    }
    return symbol(out);
  }

 private:
  bool digit_at(std::size_t i) const {
    return i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]));
  }

  void advance() {
    if (text_[at_] == '\n') {
      ++position_.line;
      position_.column = 1;
    } else {
      ++position_.column;
    }
    ++at_;
  }

  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) {
      advance();
    }
  }

  Result<void, ExpressionError> number(Token& out) {
    const std::size_t start = at_;
    while (digit_at(at_) || (at_ < text_.size() && text_[at_] == '.')) {
      advance();
    }
    const auto digits = text_.substr(start, at_ - start);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out.number);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      return ExpressionError{Errc::Syntax, fmt::format("\"{}\" is not a number", digits), out.at};
    }
    out.kind = Token::Kind::Number;
    if (at_ < text_.size() && std::isalpha(static_cast<unsigned char>(text_[at_]))) {
      const char unit = text_[at_];
      static constexpr std::pair<char, double> kUnits[] = {{'m', 60}, {'h', 3600}, {'d', 86400}};
      for (const auto& [letter, seconds] : kUnits) {
        if (unit == letter &&
            !(at_ + 1 < text_.size() && std::isalnum(static_cast<unsigned char>(text_[at_ + 1])))) {
          advance();
          out.kind = Token::Kind::Duration;
          out.number *= seconds;
          return {};
        }
      }
      return ExpressionError{
          Errc::Syntax, fmt::format("a duration ends in m, h or d, not \"{}\"", unit), position_};
    }
    return {};
  }

  Result<void, ExpressionError> string(Token& out) {
    out.kind = Token::Kind::String;
    advance();  // the opening quote
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\' && at_ + 1 < text_.size()) {
        advance();
      }
      out.text.push_back(text_[at_]);
      advance();
    }
    if (at_ >= text_.size()) {
      return ExpressionError{Errc::Syntax, "a string is not closed (missing '\"')", out.at};
    }
    advance();
    return {};
  }

  Result<void, ExpressionError> symbol(Token& out) {
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">="};
    for (auto two : kTwo) {
      if (text_.substr(at_, 2) == two) {
        out.kind = Token::Kind::Symbol;
        out.text = two;
        advance();
        advance();
        return {};
      }
    }
    const char c = text_[at_];
    if (std::string_view("<>+-*/(),").find(c) == std::string_view::npos) {
      return ExpressionError{Errc::Syntax, fmt::format("unexpected character '{}'", c), out.at};
    }
    out.kind = Token::Kind::Symbol;
    out.text = std::string(1, c);
    advance();
    return {};
  }

  std::string_view text_;
  std::size_t at_ = 0;
  TextPosition position_;
};

int binary_precedence(const Token& t) {
  if (t.kind == Token::Kind::Word) {
    return t.text == "or" ? 1 : t.text == "and" ? 2 : 0;
  }
  if (t.kind != Token::Kind::Symbol) {
    return 0;
  }
  static constexpr std::string_view kComparisons[] = {"==", "!=", "<", "<=", ">", ">="};
  for (auto op : kComparisons) {
    if (t.text == op)
      return 3;
  }
  if (t.text == "+" || t.text == "-")
    return 4;
  if (t.text == "*" || t.text == "/")
    return 5;
  return 0;
}

// Precedence climbing over the token stream.
class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<SyntaxNode, ExpressionError> parse() {
    if (!advance()) {
      return *error_;
    }
    auto node = expression(1, 0);
    if (!error_ && current_.kind != Token::Kind::End) {
      fail(current_.at,
           fmt::format("unexpected \"{}\" after the end of the expression", describe(current_)));
    }
    if (error_) {
      return *error_;
    }
    return node;
  }

 private:
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Token::Kind::End:
        return "end of text";
      case Token::Kind::Number:
      case Token::Kind::Duration:
        return "a number";
      case Token::Kind::String:
        return "a string";
      default:
        return t.text;
    }
  }

  bool advance() {
    if (auto read = lexer_.next(current_); !read) {
      if (!error_) {
        error_ = read.error();
      }
      return false;
    }
    return true;
  }

  // The first error stops the parse; later calls are the unwinding's and keep it.
  void fail(TextPosition at, std::string message, Errc code = Errc::Syntax) {
    if (!error_) {
      error_ = ExpressionError{code, std::move(message), at};
    }
  }

  bool is_symbol(std::string_view s) const {
    return current_.kind == Token::Kind::Symbol && current_.text == s;
  }

  SyntaxNode expression(int min_precedence, std::size_t depth) {
    SyntaxNode left = unary(depth);
    for (;;) {
      const int precedence = binary_precedence(current_);
      if (error_ || precedence == 0 || precedence < min_precedence) {
        return left;
      }
      Token op = current_;
      advance();
      SyntaxNode right = expression(precedence + 1, depth + 1);
      if (precedence == 3 && binary_precedence(current_) == 3) {
        fail(current_.at, "comparisons do not chain: write (a < b) and (b < c)");
      }
      SyntaxNode node{SyntaxNode::Kind::Binary, op.at, 0, op.text, {}};
      node.operands.push_back(std::move(left));
      node.operands.push_back(std::move(right));
      left = std::move(node);
    }
  }

  SyntaxNode unary(std::size_t depth) {
    if (depth > kMaxDepth) {
      fail(current_.at, "the expression is nested too deeply", Errc::TooDeep);
      return {};
    }
    const bool is_not = current_.kind == Token::Kind::Word && current_.text == "not";
    if (is_not || is_symbol("-")) {
      Token op = current_;
      advance();
      SyntaxNode node{SyntaxNode::Kind::Unary, op.at, 0, op.text, {}};
      // `not` binds looser than comparisons (not a < b), minus tighter than everything.
      node.operands.push_back(is_not ? expression(3, depth + 1) : unary(depth + 1));
      return node;
    }
    return primary(depth);
  }

  SyntaxNode primary(std::size_t depth) {
    Token t = current_;
    SyntaxNode node{SyntaxNode::Kind::Number, t.at, t.number, t.text, {}};
    switch (t.kind) {
      case Token::Kind::Number:
        advance();
        return node;
      case Token::Kind::Duration:
        node.kind = SyntaxNode::Kind::Duration;
        advance();
        return node;
      case Token::Kind::String:
        node.kind = SyntaxNode::Kind::String;
        advance();
        return node;
      case Token::Kind::Word:
        return word(std::move(node), depth);
      case Token::Kind::Symbol:
        if (t.text == "(") {
          advance();
          SyntaxNode inner = expression(1, depth + 1);
          expect(")", t.at);
          return inner;
        }
        break;
      case Token::Kind::End:
        break;
    }
    fail(t.at, fmt::format("expected a value, found {}", describe(t)));
    return node;
  }

  SyntaxNode word(SyntaxNode node, std::size_t depth) {
    advance();
    if (node.text == "true" || node.text == "false") {
      node.kind = SyntaxNode::Kind::Boolean;
      node.number = node.text == "true" ? 1 : 0;
      return node;
    }
    if (node.text == "and" || node.text == "or") {
      fail(node.at, fmt::format("expected a value, found \"{}\"", node.text));
      return node;
    }
    if (!is_symbol("(")) {
      node.kind = SyntaxNode::Kind::Name;
      return node;
    }
    node.kind = SyntaxNode::Kind::Call;
    const TextPosition open = current_.at;
    advance();
    while (!error_ && !is_symbol(")")) {
      node.operands.push_back(expression(1, depth + 1));
      if (!is_symbol(",")) {
        break;
      }
      advance();
    }
    expect(")", open);
    return node;
  }

  void expect(std::string_view symbol, TextPosition opened_at) {
    if (error_) {
      return;
    }
    if (!is_symbol(symbol)) {
      fail(current_.at, fmt::format("expected '{}' (to close line {} column {}), found {}", symbol,
                                    opened_at.line, opened_at.column, describe(current_)));
      return;
    }
    advance();
  }

  Lexer lexer_;
  Token current_;
  std::optional<ExpressionError> error_;
};

}  // namespace

Result<SyntaxNode, ExpressionError> parse_expression(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace hemalink::rules
