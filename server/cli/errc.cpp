#include "server/cli/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::cli {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::BadOptions:
      return "options that cannot be run";
    case Errc::UnusableFile:
      return "a file the command cannot use";
  }
  return "unknown command line error";
}

}  // namespace

std::error_code make_error_code(Errc e) {
  return code_in_category(e, "cli", describe);
}

}  // namespace hemalink::cli
