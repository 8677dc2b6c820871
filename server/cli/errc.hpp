#pragma once

#include <system_error>

namespace hemalink::cli {

/// Why a command cannot run what its command line asks.
enum class Errc {
  /// Options missing, or that cannot go together: exit status 2, with where the options are told.
  BadOptions = 1,
  /// A file named on the command line cannot be read, or holds nothing the command can use.
  UnusableFile,
};

std::error_code make_error_code(Errc e);

}  // namespace hemalink::cli

template <>
struct std::is_error_code_enum<hemalink::cli::Errc> : std::true_type {};
