#include "server/files/json_text_positions.hpp"

#include <fmt/format.h>

namespace hemalink::files {
namespace {

class ValueScanner {
 public:
  explicit ValueScanner(std::string_view json) : json_(json) {}

  std::map<std::string, std::size_t> scan() {
    value("");
    return std::move(offsets_);
  }

 private:
  void skip_space() {
    while (at_ < json_.size() &&
           (json_[at_] == ' ' || json_[at_] == '\t' || json_[at_] == '\n' || json_[at_] == '\r'))
      ++at_;
  }

  std::string string_literal() {
    std::string out;
    ++at_;  // the opening quote
    while (at_ < json_.size() && json_[at_] != '"') {
      if (json_[at_] == '\\')
        ++at_;  // keys in rule files are plain: an escape is kept as the character after it
      if (at_ < json_.size())
        out.push_back(json_[at_++]);
    }
    ++at_;
    return out;
  }

  void value(const std::string& path) {
    skip_space();
    if (at_ >= json_.size())
      return;
    offsets_.emplace(path, at_);
    const char c = json_[at_];
    if (c == '{') {
      members(path);
    } else if (c == '[') {
      elements(path);
    } else if (c == '"') {
      string_literal();
    } else {
      while (at_ < json_.size() && json_[at_] != ',' && json_[at_] != '}' && json_[at_] != ']')
        ++at_;
    }
  }

  void members(const std::string& path) {
    ++at_;
    for (skip_space(); at_ < json_.size() && json_[at_] != '}'; skip_space()) {
      if (json_[at_] == ',') {
        ++at_;
        continue;
      }
      const auto key = string_literal();
      skip_space();
      ++at_;  // ':'
      value(path.empty() ? key : fmt::format("{}.{}", path, key));
    }
    ++at_;
  }

  void elements(const std::string& path) {
    ++at_;
    std::size_t index = 0;
    for (skip_space(); at_ < json_.size() && json_[at_] != ']'; skip_space()) {
      if (json_[at_] == ',') {
        ++at_;
        continue;
      }
      value(fmt::format("{}[{}]", path, index++));
    }
    ++at_;
  }

  std::string_view json_;
  std::size_t at_ = 0;
  std::map<std::string, std::size_t> offsets_;
};

}  // namespace

std::map<std::string, std::size_t> json_value_offsets(std::string_view json) {
  return ValueScanner(json).scan();
}

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::size_t offset_in_string(std::string_view json, std::size_t literal, TextPosition inside) {
  TextPosition decoded;
  std::size_t at = literal + 1;
  while (at < json.size() && json[at] != '"' &&
         (decoded.line < inside.line ||
          (decoded.line == inside.line && decoded.column < inside.column))) {
    const bool is_newline = json[at] == '\\' && at + 1 < json.size() && json[at + 1] == 'n';
    if (json[at] == '\\') {
      at += json.substr(at + 1, 1) == "u" ? 6 : 2;
    } else {
      ++at;
    }
    if (is_newline) {
      ++decoded.line;
      decoded.column = 1;
    } else {
      ++decoded.column;
    }
  }
  return std::min(at, json.size());
}

}  // namespace hemalink::files
