#include "server/api/api_call.hpp"

#include <nlohmann/json.hpp>

namespace hemalink::api {

ApiResponse json_response(const nlohmann::json& body, int status) {
  return json_text_response(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            status);
}

ApiResponse json_text_response(std::string json, int status) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(json);
  return r;
}

}  // namespace hemalink::api
