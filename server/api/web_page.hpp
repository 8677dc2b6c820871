#pragma once

#include <optional>
#include <string_view>

namespace hemalink::api {

/// One file of the technologist's page (web/), compiled into the binary.
struct PageFile {
  std::string_view content_type;
  std::string_view content;
};

/// The file of web/ named `name` (index.html, app.js, ...), when there is one.
std::optional<PageFile> page_file(std::string_view name);

}  // namespace hemalink::api
