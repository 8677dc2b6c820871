#include "server/transport/peer_allow_list.hpp"

#include <gtest/gtest.h>

namespace hemalink::transport {
namespace {

PeerAllowList list(const std::vector<std::string>& patterns) {
  auto parsed = PeerAllowList::parse(patterns);
  EXPECT_TRUE(parsed);
  return parsed.value_or(PeerAllowList{});
}

TEST(PeerAllowList, AnEmptyListAllowsEveryone) {
  EXPECT_TRUE(list({}).allows("203.0.113.9"));
  EXPECT_TRUE(list({}).allows_everyone());
}

TEST(PeerAllowList, AddressesAndIpv4Blocks) {
  const auto l = list({"127.0.0.1", "10.20.0.0/16", "192.168.1.128/25"});
  EXPECT_TRUE(l.allows("127.0.0.1"));
  EXPECT_FALSE(l.allows("127.0.0.2"));
  EXPECT_TRUE(l.allows("10.20.255.1"));
  EXPECT_FALSE(l.allows("10.21.0.1"));
  EXPECT_TRUE(l.allows("192.168.1.200"));
  EXPECT_FALSE(l.allows("192.168.1.127"));
  EXPECT_FALSE(l.allows("not an address"));
}

TEST(PeerAllowList, Ipv4PeersSeenThroughADualStackSocketMatchIpv4Blocks) {
  const auto l = list({"10.0.0.0/8"});
  EXPECT_TRUE(l.allows("::ffff:10.1.2.3"));
  EXPECT_FALSE(l.allows("::ffff:11.1.2.3"));
}

TEST(PeerAllowList, Ipv6Blocks) {
  const auto l = list({"2001:db8:1::/48", "::1"});
  EXPECT_TRUE(l.allows("2001:db8:1:ffff::7"));
  EXPECT_FALSE(l.allows("2001:db8:2::7"));
  EXPECT_TRUE(l.allows("::1"));
  EXPECT_FALSE(l.allows("127.0.0.1"));
}

TEST(PeerAllowList, ZeroPrefixAllowsTheWholeFamily) {
  const auto l = list({"0.0.0.0/0"});
  EXPECT_TRUE(l.allows("198.51.100.1"));
  EXPECT_FALSE(l.allows("2001:db8::1"));
}

TEST(PeerAllowList, BadPatternsAreNamed) {
  for (const std::string bad :
       {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "localhost", "::1/129", "10.0.0.0/8/8"}) {
    std::string named;
    EXPECT_FALSE(PeerAllowList::parse({"127.0.0.1", bad}, &named)) << bad;
    EXPECT_EQ(named, bad);
  }
}

}  // namespace
}  // namespace hemalink::transport
