#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/config/http_config.hpp"

namespace hemalink::api {

/// Who made a call: the user a token names, with that token's role.
struct ApiUser {
  std::string name;
  config::ApiRole role = config::ApiRole::Viewer;
};

/// One HTTP request as the routes see it: no Beast types.
struct ApiRequest {
  std::string method;  ///< GET, POST, ...
  std::string path;    ///< The target before '?', still percent-encoded.
  std::map<std::string, std::string, std::less<>> query;  ///< Decoded; the last of a repeated key.
  std::string authorization;                              ///< The Authorization header.
  std::string body;
  std::string request_id;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// The route's pattern (/api/v1/specimens/{specimen_id}): what the access log names, so no
  /// identifier in a path reaches the log.
  std::string route;
};

ApiResponse json_response(const nlohmann::json& body, int status = 200);
/// A body that is JSON text already (as the rooms' reads return it).
ApiResponse json_text_response(std::string json, int status = 200);

}  // namespace hemalink::api
