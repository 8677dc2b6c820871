#include "server/api/api_tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "protocols/common/hex.hpp"

namespace hemalink::api {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256");  // a broken OpenSSL: a bug
  }
  return digest;
}

// The configuration holds digests as 64 lower-case hex digits (http.tokens[].sha256 checks it).
std::optional<Digest> digest_of_hex(std::string_view text) {
  const auto bytes = hex_decode(text);
  if (!bytes || bytes->size() != Digest().size())
    return std::nullopt;
  Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  const auto d = sha256(text);
  return hex_encode(d, HexCase::Lower);
}

NewToken make_token() {
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("OpenSSL has no random bytes to make a token from");
  }
  NewToken t;
  t.token = "hl_" + hex_encode(random, HexCase::Lower);
  t.sha256 = sha256_hex(t.token);
  return t;
}

std::optional<ApiUser> TokenBook::find(std::string_view token) const {
  const auto presented = sha256(token);
  std::optional<ApiUser> found;
  for (const auto& t : tokens_) {
    const auto configured = digest_of_hex(t.sha256);
    if (configured && CRYPTO_memcmp(presented.data(), configured->data(), presented.size()) == 0 &&
        !found) {
      found = ApiUser{t.user, t.role};
    }
  }
  return found;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size())
    return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return std::nullopt;
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ')
    token.remove_suffix(1);
  if (token.empty())
    return std::nullopt;
  return token;
}

}  // namespace hemalink::api
