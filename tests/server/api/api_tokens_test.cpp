#include "server/api/api_tokens.hpp"

#include <gtest/gtest.h>

namespace hemalink::api {
namespace {

TEST(ApiTokens, Sha256IsTheStandardOne) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiTokens, EachNewTokenIsDifferentAndItsHashIsTheOneConfigured) {
  const auto a = make_token();
  const auto b = make_token();
  EXPECT_NE(a.token, b.token);
  EXPECT_EQ(a.sha256, sha256_hex(a.token));
  EXPECT_GE(a.token.size(), 64u) << "256 random bits";
}

TEST(ApiTokens, TheBookFindsTheUserOfAConfiguredTokenOnly) {
  const auto alice = make_token();
  const auto bob = make_token();
  const TokenBook book({{"alice", config::ApiRole::Technologist, alice.sha256},
                        {"bob", config::ApiRole::Admin, bob.sha256}});
  const auto found = book.find(bob.token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "bob");
  EXPECT_EQ(found->role, config::ApiRole::Admin);
  EXPECT_EQ(book.find(alice.token)->name, "alice");
  EXPECT_FALSE(book.find("hl_not-a-token"));
  EXPECT_FALSE(book.find(""));
  EXPECT_FALSE(TokenBook({}).find(alice.token));
}

TEST(ApiTokens, OnlyABearerHeaderCarriesAToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_FALSE(bearer_token("Basic YWxpY2U6eA=="));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token(""));
}

}  // namespace
}  // namespace hemalink::api
