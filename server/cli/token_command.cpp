#include "server/cli/token_command.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "server/api/api_tokens.hpp"
#include "server/cli/shared_options.hpp"

namespace hemalink::cli {
namespace {

// Adds `entry` to the tokens file (api.tokens_file), made when absent; written whole to a new
// file, readable by its owner only, then renamed over the old one.
bool add_to_tokens_file(const std::filesystem::path& file, const nlohmann::json& entry,
                        std::ostream& err) {
  nlohmann::json doc = {{"tokens", nlohmann::json::array()}};
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("tokens") ||
        !doc["tokens"].is_array()) {
      err << "hemalink token: " << file.string()
          << " is not a tokens file ({\"tokens\": [...]}): left as it is\n";
      return false;
    }
  }
  doc["tokens"].push_back(entry);
  const auto partial = file.string() + ".new";
  {
    std::ofstream out(partial);
    out << doc.dump(2) << "\n";
    if (!out) {
      err << "hemalink token: cannot write " << partial << "\n";
      return false;
    }
  }
  std::filesystem::permissions(
      partial, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(partial, file);
  return true;
}

bool is_user_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '@';
  });
}

struct Arguments {
  std::string user;
  std::string role;
  bool as_json = false;
  std::optional<std::filesystem::path> tokens_file;
};

int make_token(const Arguments& a, std::ostream& out, std::ostream& err) {
  const auto role = config::api_role_named(a.role).value();
  const auto made = api::make_token();
  const nlohmann::json entry = {
      {"user", a.user}, {"role", std::string(config::to_string(role))}, {"sha256", made.sha256}};
  if (a.tokens_file && !add_to_tokens_file(*a.tokens_file, entry, err)) {
    return 1;
  }
  if (a.as_json) {
    out << nlohmann::json{{"token", made.token}, {"entry", entry}}.dump() << "\n";
    return 0;
  }
  out << "token for " << a.user << " (" << config::to_string(role) << "), shown only now:\n  "
      << made.token << "\n"
      << (a.tokens_file ? "its entry, added to " + a.tokens_file->string() + ":\n  "
                        : std::string("add this entry to \"api\": {\"tokens\": [...]} of the "
                                      "configuration:\n  "))
      << entry.dump() << "\n";
  return 0;
}

void declare_options(CLI::App& app, Arguments& a) {
  app.add_option("--user", a.user, "who the token is for (letters, digits, '-', '_', '.', '@')")
      ->type_name("NAME")
      ->required()
      ->check(CLI::Validator(
          [](std::string& name) -> std::string {
            return is_user_name(name) ? ""
                                      : "expected up to 64 letters, digits, '-', '_', '.', '@', "
                                        "got \"" +
                                            name + "\"";
          },
          "", "user name"));
  app.add_option("--role", a.role, "what the token may do")
      ->required()
      ->check(CLI::IsMember({"viewer", "technologist", "admin"}));
  app.add_flag("--json", a.as_json, "print {\"token\", \"entry\"} as JSON, for scripts");
  app.add_option("--tokens-file", a.tokens_file,
                 "add the entry to this tokens file (api.tokens_file; made when absent, "
                 "readable by its owner only)")
      ->type_name("FILE");
}

}  // namespace

void add_token_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<Arguments>(
      hemalink, actions, "token",
      "make an HTTP API token: printed once, with the api.tokens entry that holds its hash",
      declare_options, make_token);
}

}  // namespace hemalink::cli
