#include "server/files/json_fields.hpp"

#include "server/files/json_text_positions.hpp"

#include <fmt/format.h>

namespace hemalink::files {

using nlohmann::json;

std::string describe(const json& value) {
  return value.is_string() ? fmt::format("\"{}\"", value.get<std::string>())
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

JsonFields::JsonFields(const json& object, std::string path, FileErrors& errors)
    : object_(object), path_(std::move(path)), errors_(errors) {
  if (!object_.is_object()) {
    error(Errc::WrongType, path_.empty() ? "(top level)" : path_,
          fmt::format("expected an object, got {}", describe(object_)));
  }
}

JsonFields::~JsonFields() {
  if (!object_.is_object()) {
    return;
  }
  for (const auto& [key, value] : object_.items()) {
    if (read_.count(key) == 0 && key != "comment") {
      error(Errc::Unknown, path_of(key.c_str()), "unknown key");
    }
  }
}

bool JsonFields::has(const char* key) const {
  return object_.is_object() && object_.contains(key);
}

std::string JsonFields::path_of(const char* key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

void JsonFields::error(const std::string& path, const std::string& what) {
  error(Errc::BadValue, path, what);
}

void JsonFields::error(Errc code, const std::string& path, const std::string& what) {
  errors_.push_back({"", std::nullopt, path, what, code});
}

void JsonFields::ignore_other_keys() {
  if (object_.is_object()) {
    for (const auto& [key, value] : object_.items()) {
      read_.insert(key);
    }
  }
}

const json* JsonFields::take(const char* key, bool required) {
  read_.insert(key);
  if (!has(key)) {
    if (required && object_.is_object()) {
      error(Errc::Missing, path_of(key), "required");
    }
    return nullptr;
  }
  return &object_[key];
}

void JsonFields::text(const char* key, std::string& out, bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return;
  if (!v->is_string()) {
    error(Errc::WrongType, path_of(key), fmt::format("expected a string, got {}", describe(*v)));
    return;
  }
  out = v->get<std::string>();
  if (required && out.empty()) {
    error(Errc::Missing, path_of(key), "expected a non-empty string");
  }
}

void JsonFields::integer(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max,
                         bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return;
  if (!v->is_number_integer() || v->get<std::int64_t>() < min || v->get<std::int64_t>() > max) {
    error(v->is_number_integer() ? Errc::BadValue : Errc::WrongType, path_of(key),
          fmt::format("expected an integer {}-{}, got {}", min, max, describe(*v)));
    return;
  }
  out = v->get<std::int64_t>();
}

void JsonFields::number(const char* key, double& out, double min, double max, bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return;
  if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
    error(v->is_number() ? Errc::BadValue : Errc::WrongType, path_of(key),
          fmt::format("expected a number {}-{}, got {}", min, max, describe(*v)));
    return;
  }
  out = v->get<double>();
}

void JsonFields::boolean(const char* key, bool& out) {
  const json* v = take(key, false);
  if (v == nullptr)
    return;
  if (!v->is_boolean()) {
    error(Errc::WrongType, path_of(key),
          fmt::format("expected true or false, got {}", describe(*v)));
    return;
  }
  out = v->get<bool>();
}

std::optional<std::size_t> JsonFields::choice(const char* key,
                                              std::initializer_list<std::string_view> choices,
                                              bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return std::nullopt;
  std::string expected;
  std::size_t i = 0;
  for (auto c : choices) {
    if (v->is_string() && v->get<std::string>() == c) {
      return i;
    }
    expected += fmt::format("{}\"{}\"", i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", "), c);
    ++i;
  }
  error(v->is_string() ? Errc::BadValue : Errc::WrongType, path_of(key),
        fmt::format("expected {}, got {}", expected, describe(*v)));
  return std::nullopt;
}

void JsonFields::text_list(const char* key, std::vector<std::string>& out) {
  const json* v = array(key);
  if (v == nullptr)
    return;
  out.clear();
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      error(Errc::WrongType, fmt::format("{}[{}]", path_of(key), i),
            fmt::format("expected a string, got {}", describe((*v)[i])));
      continue;
    }
    out.push_back((*v)[i].get<std::string>());
  }
}

const json* JsonFields::object(const char* key, bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return nullptr;
  if (!v->is_object()) {
    error(Errc::WrongType, path_of(key), fmt::format("expected an object, got {}", describe(*v)));
    return nullptr;
  }
  return v;
}

const json* JsonFields::array(const char* key, bool required) {
  const json* v = take(key, required);
  if (v == nullptr)
    return nullptr;
  if (!v->is_array()) {
    error(Errc::WrongType, path_of(key), fmt::format("expected an array, got {}", describe(*v)));
    return nullptr;
  }
  return v;
}

void JsonFields::each_object(const char* key, const std::function<void(JsonFields&)>& read,
                             bool required) {
  const json* list = array(key, required);
  if (list == nullptr)
    return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    // One that is not an object says so here and reads as empty, so that what `read` makes of
    // each element stays at the element's index (errors found later name the right one).
    JsonFields element((*list)[i], fmt::format("{}[{}]", path_of(key), i), errors_);
    read(element);
  }
}

std::filesystem::path path_from(const std::filesystem::path& base, const std::string& name) {
  if (name.empty())
    return {};
  const std::filesystem::path p(name);
  return p.is_absolute() ? p : base / p;
}

Result<json, FileError> parse_json(std::string_view text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    const auto offset = e.byte == 0 ? 0 : e.byte - 1;
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at ...: ..."
    if (const auto cut = what.find(": "); cut != std::string::npos) {
      what = what.substr(cut + 2);
    }
    return FileError{file, position_of(text, offset), "", "not JSON: " + what, Errc::NotJson};
  }
}

}  // namespace hemalink::files
