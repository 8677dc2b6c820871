#include "server/cli/decode_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/astm/errc.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "protocols/hl7/mllp.hpp"
#include "drivers/driver.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/cli/result_json.hpp"
#include "server/config/mapping_json.hpp"

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

// Offsets of record and segment errors count from the message; report them from the file.
ParseError in_message(const ParseError& error, std::size_t number, std::size_t message_offset) {
  return {error.code, fmt::format("message {}: {}", number, error.detail),
          message_offset + error.byte_offset};
}

// Adds the driver's result sets for one message to `results`.
template <typename Message>
std::optional<ParseError> translate_into(const drivers::Driver* driver, const Message& message,
                                         std::size_t number, std::size_t offset, json& results,
                                         std::vector<std::string>& warnings) {
  if (driver == nullptr) {
    return std::nullopt;
  }
  auto translation = driver->translate(message);
  if (!translation) {
    return in_message(translation.error(), number, offset);
  }
  for (const auto& warning : translation->warnings) {
    warnings.push_back(fmt::format("message {}: {}", number, warning));
  }
  for (const auto& set : translation->result_sets) {
    results.push_back(to_json(set));
  }
  return std::nullopt;
}

// Collects what the link layer reports while a whole capture is fed through it.
class AstmCapture final : public astm::LinkSink {
 public:
  struct Message {
    std::string records;
    astm::MessageEnd end;
    std::size_t offset;
  };

  void on_write(std::string_view) override {}
  void on_arm_timer(astm::LinkTimer, astm::milliseconds) override {}
  void on_cancel_timer(astm::LinkTimer) override {}
  void on_message(std::string_view records, astm::MessageEnd end, std::size_t offset) override {
    messages.push_back({std::string(records), end, offset});
  }
  void on_error(const ParseError& e, std::string_view) override {
    if (!error) {
      error = e;
      error_message_number = messages.size() + 1;
    }
  }
  void on_notice(astm::LinkNotice notice, std::size_t offset) override {
    auto [it, is_new] = notices.try_emplace(notice, std::pair<std::size_t, std::size_t>{0, offset});
    ++it->second.first;
  }
  void on_sent(std::uint64_t, std::error_code) override {}

  std::vector<Message> messages;
  std::optional<ParseError> error;
  std::size_t error_message_number = 0;
  std::map<astm::LinkNotice, std::pair<std::size_t, std::size_t>> notices;  // count, first byte
};

Result<json> decode_astm(std::string_view bytes, const DecodeOptions& options,
                         const drivers::Driver* driver, std::vector<std::string>& warnings) {
  const bool is_framed = bytes.find_first_of("\x02\x05") != std::string_view::npos;
  AstmCapture capture;
  astm::E1381Link link(capture_link_options(is_framed, options.is_strict), capture);
  link.feed(as_bytes(bytes));
  link.finish();
  if (capture.error) {
    return in_message(*capture.error, capture.error_message_number, 0);
  }
  if (capture.messages.empty()) {
    auto ignored = capture.notices.find(astm::LinkNotice::ByteIgnored);
    return ParseError{make_error_code(astm::Errc::MalformedFrame),
                      ignored == capture.notices.end()
                          ? std::string("no ASTM message (no H record) in the content")
                          : fmt::format("no ASTM message decoded: {} byte(s) ignored outside a "
                                        "transfer (frames need an ENQ before them unless the "
                                        "capture leniencies are on)",
                                        ignored->second.first),
                      ignored == capture.notices.end() ? 0 : ignored->second.second};
  }
  for (const auto& [notice, seen] : capture.notices) {
    warnings.push_back(fmt::format("{} ({} time(s), first at byte {})", astm::to_string(notice),
                                   seen.first, seen.second));
  }
  astm::Lis2Leniency leniency;
  leniency.accept_doubled_repeat_delimiter = !options.is_strict;
  json messages = json::array();
  json results = json::array();
  std::size_t number = 0;
  for (auto& m : capture.messages) {
    ++number;
    if (m.end != astm::MessageEnd::Terminated) {
      warnings.push_back(fmt::format("message {} (starting at byte {}) is incomplete: {}", number,
                                     m.offset, astm::to_string(m.end)));
    }
    auto parsed = astm::Lis2Message::parse(std::move(m.records), {}, leniency);
    if (!parsed) {
      // Framed text is reassembled, so a record's offset maps to the file only when bare.
      auto error = in_message(parsed.error(), number, m.offset);
      if (is_framed) {
        error.byte_offset = m.offset;
      }
      return error;
    }
    json records = json::array();
    for (std::size_t r = 0; r < parsed->record_count(); ++r) {
      auto record = parsed->record(r);
      records.push_back(record_json(
          record.field(0).substr(0, 1), record.field_count(),
          [&](std::size_t i) { return record.field(i); }, options.astm_charset));
    }
    messages.push_back(json{{"records", std::move(records)}});
    if (auto error = translate_into(driver, *parsed, number, m.offset, results, warnings)) {
      return *error;
    }
  }
  json doc{{"protocol", "astm"}, {"messages", std::move(messages)}};
  if (driver != nullptr) {
    doc["results"] = std::move(results);
  }
  return doc;
}

// Export files (flow cytometry) are not messages: the driver reads the whole file.
Result<json> decode_export(std::string_view content, const drivers::Driver& driver,
                           std::vector<std::string>& warnings) {
  auto translation = driver.translate_export(content);
  if (!translation) {
    return translation.error();
  }
  warnings.insert(warnings.end(), translation->warnings.begin(), translation->warnings.end());
  json results = json::array();
  for (const auto& set : translation->result_sets) {
    results.push_back(to_json(set));
  }
  return json{{"results", std::move(results)}};
}

class MllpCapture final : public hl7::MllpSink {
 public:
  void on_message(std::string_view payload, std::size_t offset) override {
    messages.emplace_back(std::string(payload), offset);
  }
  void on_error(const ParseError& e, std::string_view) override {
    if (!error) {
      error = e;
    }
  }

  std::vector<std::pair<std::string, std::size_t>> messages;
  std::optional<ParseError> error;
};

// Without MLLP framing, a new message starts at each line that starts with MSH. A stray end
// block (FS) without its start block is dropped.
std::vector<std::pair<std::string, std::size_t>> split_bare_hl7(
    std::string_view bytes, std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::size_t>> messages;
  std::size_t start = 0;
  for (std::size_t at = bytes.find("MSH"); at != std::string_view::npos;
       at = bytes.find("MSH", at + 3)) {
    const bool is_line_start = at == 0 || bytes[at - 1] == '\r' || bytes[at - 1] == '\n';
    if (!is_line_start || at == start) {
      continue;
    }
    if (bytes.substr(start, at - start).find_first_not_of("\r\n\x1c \t") ==
        std::string_view::npos) {
      start = at;  // only padding before the first message
      continue;
    }
    messages.emplace_back(std::string(bytes.substr(start, at - start)), start);
    start = at;
  }
  messages.emplace_back(std::string(bytes.substr(start)), start);
  std::size_t end_blocks = 0;
  for (auto& [text, offset] : messages) {
    for (auto at = text.find('\x1c'); at != std::string::npos; at = text.find('\x1c', at)) {
      text.erase(at, 1);
      ++end_blocks;
    }
  }
  if (end_blocks > 0) {
    warnings.push_back(
        fmt::format("dropped {} MLLP end block(s) that had no start block", end_blocks));
  }
  return messages;
}

Result<json> decode_hl7(std::string_view bytes, const drivers::Driver* driver,
                        std::vector<std::string>& warnings) {
  std::vector<std::pair<std::string, std::size_t>> texts;
  if (bytes.find('\x0b') != std::string_view::npos) {
    MllpCapture capture;
    hl7::MllpFramer framer({}, capture);
    framer.feed(as_bytes(bytes));
    framer.finish();
    if (capture.error) {
      return *capture.error;
    }
    texts = std::move(capture.messages);
  } else {
    texts = split_bare_hl7(bytes, warnings);
  }
  json messages = json::array();
  json results = json::array();
  std::size_t number = 0;
  for (auto& [text, offset] : texts) {
    ++number;
    auto parsed = hl7::V2Message::parse(std::move(text));
    if (!parsed) {
      return in_message(parsed.error(), number, offset);
    }
    const Charset charset = parsed->charset(Charset::Utf8);
    json segments = json::array();
    for (std::size_t s = 0; s < parsed->segment_count(); ++s) {
      auto segment = parsed->segment(s);
      segments.push_back(record_json(
          segment.id(), segment.field_count(), [&](std::size_t i) { return segment.field(i); },
          charset));
    }
    messages.push_back(json{{"records", std::move(segments)}});
    if (auto error = translate_into(driver, *parsed, number, offset, results, warnings)) {
      return *error;
    }
  }
  json doc{{"protocol", "hl7"}, {"messages", std::move(messages)}};
  if (driver != nullptr) {
    doc["results"] = std::move(results);
  }
  return doc;
}

constexpr const char* kUsage =
    "usage: hemalink decode [--protocol astm|hl7|auto] [--strict] [--charset latin1|utf8|ascii]\n"
    "                       [--driver NAME [--mappings FILE]] FILE\n";

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return std::nullopt;
  }
  std::ostringstream content;
  content << file.rdbuf();
  return std::move(content).str();
}

}  // namespace

astm::LinkOptions capture_link_options(bool is_framed, bool is_strict) {
  astm::LinkOptions o;
  o.mode = is_framed ? astm::LinkMode::E1381 : astm::LinkMode::Bare;
  if (!is_strict) {
    o.accept_frames_without_enq = true;
    o.accept_lf_as_cr_in_checksum = true;
    o.accept_lenient_frame_trailer = true;
    o.accept_any_frame_number = true;
    o.accept_unpadded_checksum = true;
    o.skip_hash_comment_lines = true;
  }
  return o;
}

Result<json> decode_content(std::string content, const DecodeOptions& options,
                            std::vector<std::string>& warnings) {
  std::unique_ptr<drivers::Driver> driver;
  if (options.driver) {
    auto mappings =
        config::load_mappings(*options.driver, options.mappings_text, options.mappings_source);
    if (!mappings) {
      return mappings.error();
    }
    driver = drivers::make_driver(*options.driver,
                                  {std::move(*mappings), options.astm_charset, {}});
    if (!driver) {
      return ParseError{std::make_error_code(std::errc::invalid_argument),
                        fmt::format("no driver named \"{}\" (drivers: {})", *options.driver,
                                    fmt::join(drivers::driver_names(), ", ")),
                        0};
    }
  }
  if (driver && driver->input() == drivers::Input::ExportFile) {
    return decode_export(content, *driver, warnings);
  }
  auto capture = read_capture(std::move(content));
  if (!capture) {
    return capture.error();
  }
  warnings.insert(warnings.end(), capture->warnings.begin(), capture->warnings.end());
  std::string bytes = std::move(capture->bytes);
  Protocol protocol;
  if (options.protocol) {
    protocol = *options.protocol;
  } else {
    auto detected = detect_protocol(bytes);
    if (!detected) {
      return detected.error();
    }
    protocol = *detected;
  }
  if (!options.is_strict) {
    normalise_text_capture(bytes, protocol, warnings);
  }
  return protocol == Protocol::Astm ? decode_astm(bytes, options, driver.get(), warnings)
                                    : decode_hl7(bytes, driver.get(), warnings);
}

int run_decode(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  DecodeOptions options;
  std::optional<std::string> path;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--protocol" && i + 1 < args.size()) {
      const std::string& value = args[++i];
      if (value == "astm") {
        options.protocol = Protocol::Astm;
      } else if (value == "hl7") {
        options.protocol = Protocol::Hl7;
      } else if (value != "auto") {
        err << "hemalink decode: --protocol: expected astm, hl7 or auto, got \"" << value << "\"\n"
            << kUsage;
        return 2;
      }
    } else if (arg == "--charset" && i + 1 < args.size()) {
      auto charset = charset_from_name(args[++i]);
      if (!charset) {
        err << "hemalink decode: --charset: expected latin1, utf8 or ascii, got \"" << args[i]
            << "\"\n"
            << kUsage;
        return 2;
      }
      options.astm_charset = *charset;
    } else if (arg == "--driver" && i + 1 < args.size()) {
      options.driver = args[++i];
    } else if (arg == "--mappings" && i + 1 < args.size()) {
      auto text = read_whole_file(args[++i]);
      if (!text) {
        err << "hemalink decode: --mappings: cannot open \"" << args[i] << "\"\n";
        return 2;
      }
      options.mappings_text = std::move(*text);
      options.mappings_source = args[i];
    } else if (arg == "--strict") {
      options.is_strict = true;
    } else if (arg.starts_with("-") || path) {
      err << "hemalink decode: unexpected argument \"" << arg << "\"\n" << kUsage;
      return 2;
    } else {
      path = arg;
    }
  }
  if (!path) {
    err << "hemalink decode: no FILE given\n" << kUsage;
    return 2;
  }
  std::ifstream file(*path, std::ios::binary);
  if (!file) {
    err << "hemalink decode: " << *path << ": cannot open the file\n";
    return 2;
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (file.bad()) {
    err << "hemalink decode: " << *path << ": read error\n";
    return 1;
  }
  std::vector<std::string> warnings;
  auto document = decode_content(std::move(content).str(), options, warnings);
  for (const auto& warning : warnings) {
    err << "hemalink decode: " << *path << ": warning: " << warning << "\n";
  }
  if (!document) {
    err << "hemalink decode: " << *path << ": " << document.error().describe() << "\n";
    return 2;
  }
  out << document->dump(2) << "\n";
  return 0;
}

}  // namespace hemalink::cli
