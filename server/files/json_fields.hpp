#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocols/common/result.hpp"
#include "server/files/file_error.hpp"

namespace hemalink::files {

/// Reads the fields of one JSON object of a configuration file, collecting every error with its
/// JSON path (`analyzers[2].transport.port: expected an integer 1-65535, got "x"`) instead of
/// stopping at the first. Keys nobody read are reported as unknown when the reader finishes, so
/// a misspelt option is an error, not a silently ignored line.
class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string path, FileErrors& errors);
  ~JsonFields();
  JsonFields(const JsonFields&) = delete;
  JsonFields& operator=(const JsonFields&) = delete;

  bool has(const char* key) const;
  const std::string& path() const { return path_; }
  FileErrors& errors() { return errors_; }
  std::string path_of(const char* key) const;

  /// Each reads `key` into `out` when present (and reports a missing required key); `out`
  /// keeps its default otherwise.
  void text(const char* key, std::string& out, bool required = false);
  void integer(const char* key, std::int64_t& out, std::int64_t min, std::int64_t max,
               bool required = false);
  template <typename Int>
  void integer(const char* key, Int& out, std::int64_t min, std::int64_t max,
               bool required = false) {
    std::int64_t wide = static_cast<std::int64_t>(out);
    integer(key, wide, min, max, required);
    out = static_cast<Int>(wide);
  }
  /// A duration in the unit of `out` (`timeout_ms` into milliseconds), within min-max of it.
  template <typename Rep, typename Period>
  void duration(const char* key, std::chrono::duration<Rep, Period>& out, std::int64_t min,
                std::int64_t max, bool required = false) {
    std::int64_t count = static_cast<std::int64_t>(out.count());
    integer(key, count, min, max, required);
    out = std::chrono::duration<Rep, Period>(count);
  }
  void number(const char* key, double& out, double min, double max, bool required = false);
  void boolean(const char* key, bool& out);
  /// One of `choices`; returns the index chosen, or nullopt when absent or wrong.
  std::optional<std::size_t> choice(const char* key,
                                    std::initializer_list<std::string_view> choices,
                                    bool required = false);
  void text_list(const char* key, std::vector<std::string>& out);

  /// The object at `key` (nullptr when absent or not an object, with the error reported).
  const nlohmann::json* object(const char* key, bool required = false);
  /// The array at `key` (nullptr when absent or not an array, with the error reported).
  const nlohmann::json* array(const char* key, bool required = false);

  /// Calls `read` with the fields of each element of the array at `key`, at the path `key[i]`;
  /// an element that is not an object is an error there and reads as an empty object (so the
  /// caller's i-th entry is the i-th element). Nothing when absent or not an array.
  void each_object(const char* key, const std::function<void(JsonFields&)>& read,
                   bool required = false);

  /// The value at `key`, whatever its type, marked read (nullptr when absent).
  const nlohmann::json* any(const char* key) { return take(key, false); }

  /// Adds an error at `path` (a JSON path); the file is the caller's to add. Without a code it
  /// is a BadValue: a value the reader judged and cannot use.
  void error(const std::string& path, const std::string& what);
  void error(Errc code, const std::string& path, const std::string& what);
  /// Reports no unknown keys (when the object's type was wrong and nothing else can be judged).
  void ignore_other_keys();

 private:
  const nlohmann::json* take(const char* key, bool required);

  const nlohmann::json& object_;
  std::string path_;
  FileErrors& errors_;
  std::set<std::string, std::less<>> read_;
};

/// `text` as a JSON document, or where it stops being JSON: `file`, the line and column, and what
/// the parser expected there ("not JSON: ...").
Result<nlohmann::json, FileError> parse_json(std::string_view text, const std::string& file);

/// A path the lab's file names, taken from `base` (the file's folder) unless absolute; empty stays
/// empty.
std::filesystem::path path_from(const std::filesystem::path& base, const std::string& name);

/// How a JSON value reads in an error message: strings quoted, the rest as JSON.
std::string describe(const nlohmann::json& value);

}  // namespace hemalink::files
