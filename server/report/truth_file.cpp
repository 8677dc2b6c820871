#include "server/report/truth_file.hpp"

#include <fmt/format.h>

#include <map>

#include "server/files/json_fields.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::report {
namespace {

TruthSpecimen read_line(const nlohmann::json& object, files::FileErrors& errors) {
  TruthSpecimen s;
  files::JsonFields f(object, "", errors);
  f.text("specimen_id", s.specimen_id, true);
  f.text("profile", s.profile, true);
  f.text("condition", s.truth.condition, true);
  f.text("why", s.truth.why);
  if (!f.has("must_review") && object.is_object()) {
    f.error(files::Errc::Missing, "must_review", "required");
  }
  f.boolean("must_review", s.truth.must_review);
  if (f.has("specimen_id") && s.specimen_id.empty()) {
    f.error(files::Errc::Missing, "specimen_id", "must not be empty");
  }
  return s;
}

// Errors of one line's object: at that line (JsonFields knows paths, not lines).
void place(files::FileErrors& errors, std::size_t from, const std::string& file,
           std::uint32_t line) {
  for (auto i = from; i < errors.size(); ++i) {
    errors[i].file = file;
    errors[i].at = files::TextPosition{line, 1};
  }
}

}  // namespace

Result<std::vector<TruthSpecimen>, files::FileErrors> parse_truth(std::string_view text,
                                                                  const std::string& file) {
  std::vector<TruthSpecimen> specimens;
  files::FileErrors errors;
  std::map<std::string, std::uint32_t, std::less<>> first_line;
  std::uint32_t line = 0;
  while (!text.empty()) {
    ++line;
    const auto end = text.find('\n');
    auto content = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (content.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    auto object = files::parse_json(content, file);
    if (!object) {
      auto error = object.error();
      error.at = files::TextPosition{line, error.at ? error.at->column : 1};
      errors.push_back(std::move(error));
      continue;
    }
    const auto before = errors.size();
    auto specimen = read_line(*object, errors);
    if (errors.size() == before) {
      specimen.line = line;
      if (auto [at, is_new] = first_line.emplace(specimen.specimen_id, line); !is_new) {
        errors.push_back(
            {"", std::nullopt, "specimen_id",
             fmt::format("specimen {} is already on line {}", specimen.specimen_id, at->second)});
      } else {
        specimens.push_back(std::move(specimen));
      }
    }
    place(errors, before, file, line);
  }
  if (!errors.empty()) {
    return errors;
  }
  return specimens;
}

Result<std::vector<TruthSpecimen>, files::FileErrors> read_truth_file(
    const std::filesystem::path& path) {
  auto text = files::read_text_file(path);
  if (!text) {
    return files::FileErrors{
        {path.string(), std::nullopt, "", "cannot read the truth file", files::Errc::Unreadable}};
  }
  return parse_truth(*text, path.string());
}

}  // namespace hemalink::report
