#include "server/cli/capture_file.hpp"

#include <fmt/format.h>
#include <cctype>

#include "protocols/common/charset.hpp"

namespace hemalink::cli {
namespace {

const std::error_code kBadInput = std::make_error_code(std::errc::invalid_argument);

bool looks_like_byte_arrays(std::string_view content) {
  std::size_t start = content.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || content[start] != '[') {
    return false;
  }
  return content.find_first_not_of("0123456789,[] \t\r\n") == std::string_view::npos;
}

bool starts_line_with(std::string_view bytes, std::size_t at, std::string_view prefix) {
  return bytes.substr(at, prefix.size()) == prefix &&
         (at == 0 || bytes[at - 1] == '\n' || bytes[at - 1] == '\r');
}

}  // namespace

Result<CaptureFile> read_capture(std::string content) {
  CaptureFile file;
  if (!looks_like_byte_arrays(content)) {
    file.bytes = std::move(content);
    return file;
  }
  std::size_t i = 0;
  while (i < content.size()) {
    if (!std::isdigit(static_cast<unsigned char>(content[i]))) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < content.size() && std::isdigit(static_cast<unsigned char>(content[i])) &&
           value <= 255) {
      value = value * 10 + static_cast<unsigned>(content[i] - '0');
      ++i;
    }
    if (value > 255) {
      return ParseError{kBadInput,
                        fmt::format("byte-array capture holds {:?}, not a byte value 0-255",
                                    std::string_view(content).substr(start, i - start + 1)),
                        start};
    }
    file.bytes.push_back(static_cast<char>(value));
  }
  file.warnings.push_back("read a decimal byte-array capture (one array per read) as raw bytes");
  return file;
}

Result<WireProtocol> detect_protocol(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const char c = bytes[i];
    if (c == '#') {  // a comment line
      auto eol = bytes.find('\n', i);
      i = eol == std::string_view::npos ? bytes.size() : eol + 1;
      continue;
    }
    if (c == 0x0B) {
      return WireProtocol::Hl7;
    }
    if (c == 0x05 || c == 0x02) {
      return WireProtocol::Astm;
    }
    if (static_cast<unsigned char>(c) <= ' ') {
      ++i;
      continue;
    }
    const std::string_view rest = bytes.substr(i);
    const std::string_view header = without_byte_order_mark(rest);  // as some LIS send it
    if (header.starts_with("MSH") || header.starts_with("FHS") || header.starts_with("BHS")) {
      return WireProtocol::Hl7;
    }
    if (rest.size() > 1 && rest[0] == 'H' && !std::isalnum(static_cast<unsigned char>(rest[1]))) {
      return WireProtocol::Astm;
    }
    break;
  }
  return ParseError{kBadInput,
                    "neither ASTM (ENQ, STX or an H record) nor HL7 (MSH or an MLLP start "
                    "block) at the start of the content",
                    i};
}

void normalise_text_capture(std::string& bytes, WireProtocol protocol,
                            std::vector<std::string>& warnings) {
  // Comment lines a publisher put above the first message.
  const std::string_view first_record = protocol == WireProtocol::Hl7 ? "MSH" : "H";
  std::size_t comments = 0;
  std::size_t i = 0;
  while (i < bytes.size() && !starts_line_with(bytes, i, first_record)) {
    if (bytes[i] == '#' && (i == 0 || bytes[i - 1] == '\n' || bytes[i - 1] == '\r')) {
      auto eol = bytes.find('\n', i);
      eol = eol == std::string::npos ? bytes.size() : eol + 1;
      bytes.erase(i, eol - i);
      ++comments;
      continue;
    }
    if (bytes[i] == 0x02 || bytes[i] == 0x05 || bytes[i] == 0x0B) {
      break;  // framed content: comments inside frames are data
    }
    ++i;
  }
  if (comments > 0) {
    warnings.push_back(
        fmt::format("skipped {} '#' comment line(s) before the first message", comments));
  }
  if (protocol != WireProtocol::Hl7) {
    return;
  }
  std::size_t markers = 0;
  std::string out;
  out.reserve(bytes.size());
  std::size_t from = 0;
  for (std::size_t at = bytes.find("<cr>"); at != std::string::npos;
       at = bytes.find("<cr>", at + 4)) {
    const std::size_t after = at + 4;
    if (after < bytes.size() && bytes[after] != '\n' && bytes[after] != '\r') {
      continue;  // "<cr>" inside a value is data
    }
    out.append(bytes, from, at - from);
    out.push_back('\r');
    from = after < bytes.size() && bytes[after] == '\n' ? after + 1 : after;
    ++markers;
  }
  out.append(bytes, from, std::string::npos);
  bytes = std::move(out);
  if (markers > 0) {
    warnings.push_back(
        fmt::format("read {} literal '<cr>' marker(s) at line ends as segment "
                    "terminators",
                    markers));
  }
}

}  // namespace hemalink::cli
