#include "server/daemon/message_reading.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server/files/file_error.hpp"
#include "server/ingest/configured_message_reader.hpp"
#include "server/ingest/rules_decider.hpp"
#include "server/orders/result_order_matching.hpp"
#include "server/qc/control_history.hpp"
#include "server/rules/database_result_archive.hpp"
#include "server/rules/postgres_rule_set_versions.hpp"
#include "server/rules/rule_files.hpp"
#include "server/store/audit_entry.hpp"

namespace hemalink::daemon {
namespace {

using RuleSetPtr = std::shared_ptr<const rules::RuleSet>;

std::shared_ptr<rules::RecentResults> recent_results(const DaemonConfig& c) {
  auto archive = std::make_shared<rules::DatabaseResultArchive>(c.database_url);
  if (!c.rules.files.empty()) {
    archive->warm_up(c.store.writers);  // one history reader per store writer
  }
  return std::make_shared<rules::RecentResults>(archive, c.rules.recent_results_capacity);
}

// Every analyzer's QC, rebuilt from the stored judgements before the first message is read (on
// a store writer, so a database still starting holds results rather than stopping the start).
std::shared_ptr<qc::ControlBook> control_book(const DaemonConfig& c) {
  auto book = std::make_shared<qc::ControlBook>(qc::ControlDefinitions{}, c.qc.policy);
  book->set_history([dsn = c.database_url] {
    auto history = qc::control_history(dsn, qc::kMaxEstablishRuns);
    if (!history) {
      spdlog::error("QC: cannot read the stored judgements: {}", history.error().detail);
    } else {
      spdlog::info("QC: {} stored judgement(s) and {} patient average(s) resumed",
                   history->judgements.size(), history->averages.size());
    }
    return history;
  });
  return book;
}

Result<std::shared_ptr<ingest::MessageReader>, files::FileErrors> reader_of(
    const DaemonConfig& c, RuleSetPtr rules, std::shared_ptr<rules::RecentResults> recent,
    std::shared_ptr<qc::ControlBook> qc) {
  auto built = ingest::configured_message_reader(c.analyzers, std::move(rules), c.qc,
                                                 std::move(recent), std::move(qc));
  if (built && takes_orders(c)) {  // a lab that takes orders from a LIS matches results with them
    orders::match_results_with_order_book(**built, c.database_url, c.orders);
  }
  return built;
}

files::FileErrors one_error(std::string message) {
  return {{"", std::nullopt, "", std::move(message), files::Errc::Unreadable}};
}

// The rule set to decide with, and the version the configuration's files were stored as.
struct Chosen {
  RuleSetPtr set;
  std::optional<rules::RuleSetVersion> stored;
};

// The files of `c` loaded and stored as a version by `actor`: live when none is yet.
Result<Chosen, files::FileErrors> stored_files(const DaemonConfig& c,
                                               const rules::RuleSetVersions& versions,
                                               const std::string& actor) {
  auto sources = rules::read_rule_sources(c.rules.files);
  if (!sources)
    return sources.error();
  auto set = rules::RuleSet::load(*sources);
  if (!set)
    return set.error();
  auto stored = versions.store(*sources, (*set)->version(), actor, "the configuration's rule files",
                               rules::StoreAs::LiveWhenNoneIs);
  if (!stored) {
    spdlog::error(
        "rules: the rule set version of the configuration's files cannot be stored ({}): "
        "deciding with the files ({})",
        stored.error().detail, (*set)->version());
    return Chosen{*set, std::nullopt};
  }
  return Chosen{*set, std::move(*stored)};
}

void warn_not_in_force(const DaemonConfig& c, const rules::RuleSetVersion& stored,
                       const rules::RuleSetVersion& live) {
  std::vector<std::string> names;
  for (const auto& f : c.rules.files)
    names.push_back(f.string());
  spdlog::warn(
      "rules: {} is rule set version {} ({}), {}: not in force; the live version {} ({}) "
      "decides. Promote it after a backtest: hemalink rules promote {} --backtest ID",
      fmt::join(names, ", "), stored.id, stored.version, to_string(stored.status), live.id,
      live.version, stored.id);
}

// The live version's rules: `running` or the files' set when it is theirs, else its stored
// content loaded.
Result<RuleSetPtr, files::FileErrors> live_rules(const rules::RuleSetVersion& live,
                                                 const RuleSetPtr& running,
                                                 const RuleSetPtr& files) {
  for (const auto& known : {running, files}) {
    if (known && known->version() == live.version)
      return known;
  }
  auto loaded = rules::RuleSet::load(live.content);
  if (!loaded)
    return loaded.error();
  return *loaded;
}

// The rules `c` decides with: its files stored as a version (when `stores_files`), then the
// live version. Without rule files, none (every result held, as without versions).
Result<Chosen, files::FileErrors> chosen_rules(const DaemonConfig& c,
                                               const rules::RuleSetVersions& versions,
                                               const std::string& actor, bool stores_files,
                                               const RuleSetPtr& running) {
  if (c.rules.files.empty())
    return Chosen{};
  Chosen chosen;
  if (stores_files) {
    auto stored = stored_files(c, versions, actor);
    if (!stored)
      return stored.error();
    chosen = std::move(*stored);
    if (!chosen.stored || chosen.stored->status == rules::VersionStatus::Live)
      return chosen;
  }
  auto live = versions.live();
  if (!live) {
    if (!stores_files)
      return one_error(
          fmt::format("the live rule set version cannot be read: {}", live.error().detail));
    spdlog::error("rules: the live rule set version cannot be read ({}): deciding with the files",
                  live.error().detail);
    return chosen;
  }
  if (!*live) {
    spdlog::error(
        "rules: no rule set version is live: every result is held until one is promoted "
        "(hemalink rules promote)");
    return Chosen{nullptr, std::move(chosen.stored)};
  }
  if (chosen.stored)
    warn_not_in_force(c, *chosen.stored, **live);
  auto set = live_rules(**live, running, chosen.set);
  if (!set)
    return set.error();
  return Chosen{std::move(*set), std::move(chosen.stored)};
}

// The version in shadow, if any, decides beside the live set (the running shadow set when it is
// still the one). It never acts: when it cannot be read or loaded, there is none, and that is
// logged.
void attach_shadow(ingest::MessageReader& reader, const rules::RuleSetVersions& versions,
                   const std::shared_ptr<rules::RecentResults>& recent, const RuleSetPtr& running) {
  auto listed = versions.list();
  if (!listed) {
    spdlog::warn("rules: the version in shadow cannot be read ({}): none decides in shadow",
                 listed.error().detail);
    return;
  }
  const auto shadow = std::find_if(listed->begin(), listed->end(), [](const auto& v) {
    return v.status == rules::VersionStatus::Shadow;
  });
  if (shadow == listed->end()) {
    return;
  }
  RuleSetPtr set = running && running->version() == shadow->version ? running : nullptr;
  if (!set) {
    auto found = versions.find(std::to_string(shadow->id));
    auto loaded = found && *found ? rules::RuleSet::load((*found)->content)
                                  : Result<RuleSetPtr, files::FileErrors>(
                                        one_error(found ? "gone" : found.error().detail));
    if (!loaded) {
      spdlog::warn("rules: version {} in shadow is not loaded ({}): none decides in shadow",
                   shadow->id, files::describe(loaded.error(), "; "));
      return;
    }
    set = *loaded;
  }
  reader.set_shadow(set, ingest::rules_decider(set, recent), ingest::history_prefetch(set, recent));
}

}  // namespace

Result<void, Error> audit_reload(const std::string& dsn, const std::string& actor,
                                 const api::RulesReload& done) {
  using nlohmann::json;
  json after{{"version", done.version}};
  if (done.stored_id != 0) {
    after["stored"] = {
        {"id", done.stored_id}, {"version", done.stored_version}, {"status", done.stored_status}};
  }
  return store::append_audit(dsn, {actor, "reload_rules", "rule_set", done.version,
                                   json{{"version", done.previous_version}}.dump(), after.dump()});
}

MessageReading::MessageReading(const DaemonConfig& config)
    : versions(std::make_shared<rules::PostgresRuleSetVersions>(config.database_url)),
      recent(recent_results(config)),
      quality_control(control_book(config)) {
  const auto started = put_in_force(config, "system:start", true);
  if (!started.is_done) {
    throw std::runtime_error(fmt::format("{}", fmt::join(started.errors, "; ")));  // start-up
  }
  spdlog::info("rules: {} in force",
               started.version.empty() ? "no rule set (every result held)" : started.version);
}

api::RulesReload MessageReading::reload(const DaemonConfig& config, const std::string& actor) {
  auto r = put_in_force(config, actor, true);
  for (const auto& e : r.errors)
    spdlog::error("reload: {} (the previous configuration stays in force)", e);
  if (r.is_done) {
    spdlog::info(
        "reload: mapping tables of {} analyzer(s) and the rules {} in force (transport changes "
        "need a restart)",
        config.analyzers.size(), r.version.empty() ? "(none)" : r.version);
  }
  return r;
}

api::RulesReload MessageReading::follow_live() {
  DaemonConfig config;
  {
    std::lock_guard lock(reloading_);
    config = in_force_;
  }
  auto r = put_in_force(config, "", false);
  for (const auto& e : r.errors)
    spdlog::error("rules: the live version is not put in force: {}", e);
  if (r.is_done && r.version != r.previous_version)
    spdlog::info("rules: {} in force (promoted)", r.version);
  return r;
}

api::RulesReload MessageReading::put_in_force(const DaemonConfig& config, const std::string& actor,
                                              bool stores_files) {
  std::lock_guard lock(reloading_);
  api::RulesReload r;
  const auto running = reader ? reader->get()->rule_set() : nullptr;
  r.previous_version = running ? running->version() : "";
  auto chosen = chosen_rules(config, *versions, actor, stores_files, running);
  auto built =
      chosen ? reader_of(config, chosen->set, recent, quality_control)
             : Result<std::shared_ptr<ingest::MessageReader>, files::FileErrors>(chosen.error());
  if (!built) {
    for (const auto& e : built.error())
      r.errors.push_back(e.describe());
    return r;
  }
  const auto running_shadow = reader ? reader->get()->shadow_rule_set() : nullptr;
  attach_shadow(**built, *versions, recent, running_shadow);
  if (reader) {
    reader->replace(*built);
  } else {
    reader = std::make_shared<ingest::CurrentMessageReader>(*built);
  }
  in_force_ = config;
  r.is_done = true;
  r.version = chosen->set ? chosen->set->version() : "";
  if (chosen->stored) {
    r.stored_id = chosen->stored->id;
    r.stored_version = chosen->stored->version;
    r.stored_status = to_string(chosen->stored->status);
  }
  return r;
}

}  // namespace hemalink::daemon
