#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace hemalink::transport {

/// Says once, from any thread, whether a file handed on is now durable (its file may go).
using FileDone = std::function<void(bool is_durable)>;

/// What a file drop does with each complete file: hands on its whole content, and is told later
/// through `done` whether it is durable.
using ReceiveFile =
    std::function<void(const std::filesystem::path& file, std::string content, FileDone done)>;

}  // namespace hemalink::transport
