#include "server/files/file_error.hpp"

#include <fmt/format.h>

namespace hemalink::files {

std::string FileError::describe() const {
  std::string out;
  if (!file.empty()) {
    out.append(file).append(": ");
    if (at) {
      out.resize(out.size() - 2);
      out.append(fmt::format(":{}:{}: ", at->line, at->column));
    }
  }
  if (!where.empty()) {
    out.append(where).append(": ");
  }
  return out.append(message);
}

std::string describe(const FileErrors& errors, const std::string& separator) {
  std::string out;
  for (const auto& e : errors) {
    out.append(out.empty() ? "" : separator).append(e.describe());
  }
  return out;
}

FileErrors in_file(FileErrors errors, const std::string& file) {
  for (auto& e : errors) {
    if (e.file.empty()) {
      e.file = file;
    }
  }
  return errors;
}

}  // namespace hemalink::files
