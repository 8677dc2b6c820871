#include <fmt/format.h>
#include <cctype>

#include "protocols/hl7/errc.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::hl7 {
namespace {

class PathReader {
 public:
  explicit PathReader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  bool take(char c) {
    if (!at_end() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool number(std::size_t* out) {
    std::size_t value = 0;
    std::size_t digits = 0;
    while (!at_end() && std::isdigit(static_cast<unsigned char>(text_[pos_])) && digits < 6) {
      value = value * 10 + static_cast<std::size_t>(text_[pos_] - '0');
      ++pos_;
      ++digits;
    }
    *out = value;
    return digits > 0 && value > 0;
  }
  // "(n)" or "[n]" after a segment or field.
  bool index(std::size_t* out) {
    char close = take('(') ? ')' : take('[') ? ']' : '\0';
    if (close == '\0') {
      return true;
    }
    return number(out) && take(close);
  }
  ParseError error(std::string_view what) const {
    return {make_error_code(Errc::BadPath),
            fmt::format("HL7 path {:?}: {} at character {}", text_, what, pos_ + 1), pos_};
  }
  std::size_t pos() const { return pos_; }
  void skip(std::size_t n) { pos_ += n; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<V2Path> V2Path::parse(std::string_view text) {
  PathReader in(text);
  V2Path path;
  if (text.size() < 3) {
    return in.error("expected a 3-character segment ID");
  }
  for (int i = 0; i < 3; ++i) {
    char c = text[static_cast<std::size_t>(i)];
    if (!std::isupper(static_cast<unsigned char>(c)) &&
        !std::isdigit(static_cast<unsigned char>(c))) {
      return in.error("expected a 3-character segment ID");
    }
  }
  path.segment = std::string(text.substr(0, 3));
  in.skip(3);
  if (!in.index(&path.occurrence)) {
    return in.error("expected a segment occurrence such as (2)");
  }
  if (in.at_end()) {
    return path;
  }
  if (!in.take('-') && !in.take('.')) {
    return in.error("expected '-' before the field number");
  }
  if (!in.number(&path.field)) {
    return in.error("expected a field number from 1");
  }
  if (!in.index(&path.repetition)) {
    return in.error("expected a repetition such as (2)");
  }
  if (in.take('.')) {
    if (!in.number(&path.component)) {
      return in.error("expected a component number from 1");
    }
    if (in.take('.') && !in.number(&path.subcomponent)) {
      return in.error("expected a subcomponent number from 1");
    }
  }
  if (!in.at_end()) {
    return in.error("unexpected character");
  }
  return path;
}

}  // namespace hemalink::hl7
