#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/api_call.hpp"
#include "server/config/http_config.hpp"

namespace hemalink::api {

/// SHA-256 of `text`, as 64 lowercase hex digits.
std::string sha256_hex(std::string_view text);

/// A new random token (256 bits, URL-safe text) and its SHA-256, as `hemalink token` prints them.
struct NewToken {
  std::string token;
  std::string sha256;
};
NewToken make_token();

/// The configured tokens. A presented token is hashed and compared with every configured hash
/// in constant time, so neither a match nor its position shows in the time taken.
class TokenBook {
 public:
  explicit TokenBook(std::vector<config::ApiToken> tokens) : tokens_(std::move(tokens)) {}
  std::optional<ApiUser> find(std::string_view token) const;

 private:
  std::vector<config::ApiToken> tokens_;
};

/// The token of an `Authorization: Bearer TOKEN` header; nullopt when it is not one.
std::optional<std::string_view> bearer_token(std::string_view authorization);

}  // namespace hemalink::api
