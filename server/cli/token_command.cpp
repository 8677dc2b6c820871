#include "server/cli/token_command.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "server/api/api_tokens.hpp"

namespace hemalink::cli {
namespace {

constexpr const char* kUsage =
    "usage: hemalink token --user NAME --role viewer|technologist|admin [--json]\n"
    "                      [--tokens-file FILE]\n";

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

}  // namespace

int run_token(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string user;
  std::optional<config::ApiRole> role;
  bool as_json = false;
  std::optional<std::filesystem::path> tokens_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--user" && i + 1 < args.size()) {
      user = args[++i];
    } else if (args[i] == "--role" && i + 1 < args.size()) {
      role = config::api_role_named(args[++i]);
      if (!role) {
        err << "hemalink token: --role: expected viewer, technologist or admin, got \"" << args[i]
            << "\"\n";
        return 2;
      }
    } else if (args[i] == "--json") {
      as_json = true;
    } else if (args[i] == "--tokens-file" && i + 1 < args.size()) {
      tokens_file = args[++i];
    } else {
      err << "hemalink token: unexpected argument \"" << args[i] << "\"\n" << kUsage;
      return 2;
    }
  }
  if (!is_user_name(user) || !role) {
    err << "hemalink token: "
        << (!role ? "--role is required" : "--user: expected letters, digits, '-', '_', '.', '@'")
        << "\n"
        << kUsage;
    return 2;
  }
  const auto made = api::make_token();
  const nlohmann::json entry = {
      {"user", user}, {"role", std::string(config::to_string(*role))}, {"sha256", made.sha256}};
  if (tokens_file && !add_to_tokens_file(*tokens_file, entry, err))
    return 1;
  if (as_json) {
    out << nlohmann::json{{"token", made.token}, {"entry", entry}}.dump() << "\n";
    return 0;
  }
  out << "token for " << user << " (" << config::to_string(*role) << "), shown only now:\n  "
      << made.token << "\n"
      << (tokens_file ? "its entry, added to " + tokens_file->string() + ":\n  "
                      : std::string("add this entry to \"api\": {\"tokens\": [...]} of the "
                                    "configuration:\n  "))
      << entry.dump() << "\n";
  return 0;
}

}  // namespace hemalink::cli
