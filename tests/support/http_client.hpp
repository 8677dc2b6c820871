#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hemalink::testing {

struct HttpReply {
  int status = 0;  ///< 0: no answer (connection refused, closed, or timed out).
  std::map<std::string, std::string> headers;  ///< Names lower-cased.
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// One HTTP/1.1 request to 127.0.0.1:`port` (Beast, on its own connection, 10 s at most), with
/// `Authorization: Bearer token` when a token is given.
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& token = "", const std::string& body = "");

/// What came back for raw `bytes` sent to 127.0.0.1:`port`, read until the server closed the
/// connection or `timeout` passed; `closed` says which.
std::string raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout, bool& closed);

}  // namespace hemalink::testing
