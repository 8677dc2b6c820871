#pragma once

#include <filesystem>
#include <string>

#include "drivers/model/message_id.hpp"

namespace hemalink::testing {

/// A fresh directory under the system's temporary directory, removed with everything in it
/// when the object goes away.
class TempDir {
 public:
  explicit TempDir(const std::string& purpose)
      : path_(std::filesystem::temp_directory_path() /
              ("hemalink-" + purpose + "-" + model::MessageId::generate().to_string())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace hemalink::testing
