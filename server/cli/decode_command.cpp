#include "server/cli/decode_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "drivers/driver.hpp"
#include "server/cli/capture_messages.hpp"
#include "server/cli/result_json.hpp"
#include "server/cli/shared_options.hpp"
#include "server/config/mapping_json.hpp"
#include "server/files/file_error.hpp"
#include "server/files/text_file.hpp"

namespace hemalink::cli {
namespace {

using nlohmann::json;

json record_json(std::string_view type, std::size_t field_count, auto&& field_at, Charset charset) {
  json fields = json::array();
  for (std::size_t i = 0; i < field_count; ++i) {
    fields.push_back(to_utf8(field_at(i), charset));
  }
  return json{{"type", to_utf8(type, charset)}, {"fields", std::move(fields)}};
}

json message_json(const astm::Lis2Message& message, Charset charset) {
  json records = json::array();
  for (std::size_t r = 0; r < message.record_count(); ++r) {
    auto record = message.record(r);
    records.push_back(record_json(
        record.field(0).substr(0, 1), record.field_count(),
        [&](std::size_t i) { return record.field(i); }, charset));
  }
  return json{{"records", std::move(records)}};
}

json message_json(const hl7::V2Message& message, Charset) {
  const Charset charset = message.charset(Charset::Utf8);
  json segments = json::array();
  for (std::size_t s = 0; s < message.segment_count(); ++s) {
    auto segment = message.segment(s);
    segments.push_back(record_json(
        segment.id(), segment.field_count(), [&](std::size_t i) { return segment.field(i); },
        charset));
  }
  return json{{"records", std::move(segments)}};
}

void add_results(const drivers::Translation& translation, std::string_view where, json& results,
                 std::vector<std::string>& warnings) {
  for (const auto& warning : translation.warnings) {
    warnings.push_back(fmt::format("{}{}", where, warning));
  }
  for (const auto& set : translation.result_sets) {
    results.push_back(to_json(set));
  }
}

// The messages as JSON and, with a driver, their result sets.
template <typename Message>
Result<json> messages_document(const char* protocol, const std::vector<Captured<Message>>& messages,
                               const drivers::Driver* driver, Charset charset,
                               std::vector<std::string>& warnings) {
  json out = json::array();
  json results = json::array();
  std::size_t number = 0;
  for (const auto& m : messages) {
    ++number;
    out.push_back(message_json(m.message, charset));
    if (driver == nullptr) {
      continue;
    }
    auto translation = driver->translate(m.message);
    if (!translation) {
      auto error = translation.error();
      return ParseError{error.code, fmt::format("message {}: {}", number, error.detail),
                        m.offset + error.byte_offset};
    }
    add_results(*translation, fmt::format("message {}: ", number), results, warnings);
  }
  json doc{{"protocol", protocol}, {"messages", std::move(out)}};
  if (driver != nullptr) {
    doc["results"] = std::move(results);
  }
  return doc;
}

Result<std::unique_ptr<drivers::Driver>> build_driver(const DecodeOptions& options) {
  auto mappings = config::load_mappings(config::mapping_base(*options.driver, options.base),
                                        options.mappings_text, options.mappings_source);
  if (!mappings) {
    return ParseError{std::make_error_code(std::errc::invalid_argument),
                      files::describe(mappings.error(), "; "), 0};
  }
  auto driver =
      drivers::make_driver(*options.driver, {std::move(*mappings), options.astm_charset, {}});
  if (!driver) {
    return ParseError{std::make_error_code(std::errc::invalid_argument),
                      fmt::format("no driver named \"{}\" (drivers: {})", *options.driver,
                                  fmt::join(drivers::driver_names(), ", ")),
                      0};
  }
  return driver;
}

struct Arguments {
  DecodeOptions options;
  std::string file;
  std::string mappings_file;
};

}  // namespace

Result<json> decode_content(std::string content, const DecodeOptions& options,
                            std::vector<std::string>& warnings) {
  std::unique_ptr<drivers::Driver> driver;
  if (options.driver) {
    auto built = build_driver(options);
    if (!built) {
      return built.error();
    }
    driver = std::move(*built);
  }
  if (driver && driver->input() == model::WireProtocol::Export) {
    // Export files (flow cytometry) are not messages: the driver reads the whole file.
    auto translation = driver->translate_export(content);
    if (!translation) {
      return translation.error();
    }
    json results = json::array();
    add_results(*translation, "", results, warnings);
    return json{{"results", std::move(results)}};
  }
  auto captured =
      read_messages(std::move(content), {options.protocol, options.is_strict}, warnings);
  if (!captured) {
    return captured.error();
  }
  auto doc =
      captured->protocol == WireProtocol::Astm
          ? messages_document("astm", captured->astm, driver.get(), options.astm_charset, warnings)
          : messages_document("hl7", captured->hl7, driver.get(), Charset::Utf8, warnings);
  if (doc && !captured->leniencies.empty()) {
    (*doc)["leniencies"] = captured->leniencies;
  }
  return doc;
}

namespace {

int decode(Arguments& a, std::ostream& out, std::ostream& err) {
  auto& options = a.options;
  if (!a.mappings_file.empty()) {
    auto text = files::read_text_file(a.mappings_file);
    if (!text) {
      err << "hemalink decode: --mappings: cannot open \"" << a.mappings_file << "\"\n";
      return 2;
    }
    options.mappings_text = std::move(*text);
    options.mappings_source = a.mappings_file;
  }
  const auto& path = a.file;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << "hemalink decode: " << path << ": cannot open the file\n";
    return 2;
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) {
    err << "hemalink decode: " << path << ": read error\n";
    return 1;
  }
  std::vector<std::string> warnings;
  auto document = decode_content(std::move(content).str(), options, warnings);
  for (const auto& warning : warnings) {
    err << "hemalink decode: " << path << ": warning: " << warning << "\n";
  }
  if (!document) {
    err << "hemalink decode: " << path << ": " << document.error().describe() << "\n";
    return 2;
  }
  for (const auto& leniency : document->value("leniencies", json::array())) {
    err << "hemalink decode: " << path << ": leniency: " << leniency.get<std::string>() << "\n";
  }
  out << document->dump(2) << "\n";
  return 0;
}

void declare_options(CLI::App& app, Arguments& a) {
  app.add_option("FILE", a.file, "the capture")->required();
  app.add_option_function<std::string>(
         "--protocol",
         [&a](const std::string& name) {
           a.options.protocol = name == "auto"  ? std::nullopt
                                : name == "hl7" ? std::optional(WireProtocol::Hl7)
                                                : std::optional(WireProtocol::Astm);
         },
         "what the capture holds (auto: tell by its content)")
      ->default_str("auto")
      ->check(CLI::IsMember({"astm", "hl7", "auto"}));
  app.add_flag("--strict", a.options.is_strict,
               "decode as a live link would: no capture leniencies (LF for CR in checksums, "
               "frame numbers out of sequence, frames without ENQ, lenient frame trailers, "
               "comment lines)");
  app.add_option_function<std::string>(
         "--charset",
         [&a](const std::string& name) { a.options.astm_charset = *charset_from_name(name); },
         "the ASTM text's character set (HL7 says its own in MSH-18)")
      ->default_str("latin1")
      ->check(CLI::IsMember({"latin1", "iso-8859-1", "utf8", "utf-8", "ascii"}, CLI::ignore_case));
  std::vector<std::string> drivers(drivers::driver_names().begin(), drivers::driver_names().end());
  auto* driver = app.add_option("--driver", a.options.driver,
                                "also translate each message with this driver into canonical "
                                "results")
                     ->check(CLI::IsMember(drivers));
  app.add_option("--base", a.options.base,
                 "the shipped mapping table the driver's table starts from (none: none; "
                 "default: the driver's own)")
      ->type_name("TABLE")
      ->needs(driver);
  app.add_option("--mappings", a.mappings_file,
                 "the lab's mapping table (JSON), its entries over the base's")
      ->type_name("FILE")
      ->needs(driver);
}

}  // namespace

void add_decode_command(CLI::App& hemalink, CommandActions& actions) {
  add_command<Arguments>(
      hemalink, actions, "decode",
      "print an analyzer capture (E1381 frames, bare ASTM records, MLLP or bare HL7, or with "
      "--driver bd-facs an export file) as JSON, and with --driver the canonical results",
      declare_options, decode);
}

}  // namespace hemalink::cli
