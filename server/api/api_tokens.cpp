#include "server/api/api_tokens.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

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

std::string hex(const unsigned char* bytes, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += fmt::format("{:02x}", bytes[i]);
  return out;
}

std::optional<Digest> from_hex(std::string_view text) {
  Digest d{};
  if (text.size() != 64)
    return std::nullopt;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned value = 0;
    for (char c : text.substr(2 * i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<unsigned>(c - 'a' + 10);
      else
        return std::nullopt;
    }
    d[i] = static_cast<unsigned char>(value);
  }
  return d;
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  const auto d = sha256(text);
  return hex(d.data(), d.size());
}

NewToken make_token() {
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("OpenSSL has no random bytes to make a token from");
  }
  NewToken t;
  t.token = "hl_" + hex(random.data(), random.size());
  t.sha256 = sha256_hex(t.token);
  return t;
}

std::optional<ApiUser> TokenBook::find(std::string_view token) const {
  const auto presented = sha256(token);
  std::optional<ApiUser> found;
  for (const auto& t : tokens_) {
    const auto configured = from_hex(t.sha256);
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
