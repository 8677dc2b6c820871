#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "server/files/errc.hpp"
#include "server/files/text_position.hpp"

namespace hemalink::files {

/// One thing wrong in one of the lab's files (the configuration; a rules, mappings or cases
/// file), and where it is, as precisely as it is known: the file, the line and column, and the
/// JSON path or the rule, and how it is wrong (a files::Errc; a rules::Errc for an expression).
/// What every reader of those files fails with.
struct FileError {
  std::string file;                ///< As named in the configuration or on the command line.
  std::optional<TextPosition> at;  ///< When the text was read that far.
  std::string where;               ///< `analyzers[2].transport.port`, `rule "plt-critical"`.
  std::string message;
  /// Last and BadValue unless said, so that `{file, at, where, message}` reads as "a value the
  /// lab wrote that hemalink cannot use", the commonest; the others are set where they are found.
  std::error_code code = Errc::BadValue;

  /// `file:line:column: where: message`, leaving out what is not known.
  std::string describe() const;
};

/// Every error a reader found: it goes on after the first, so a lab fixes its file in one pass.
using FileErrors = std::vector<FileError>;

/// Each error of `errors` described, joined by `separator`.
std::string describe(const FileErrors& errors, const std::string& separator);

/// `errors` with `file` set where none was: what a reader of text (not knowing its file) found,
/// once the caller knows the file.
FileErrors in_file(FileErrors errors, const std::string& file);

}  // namespace hemalink::files
