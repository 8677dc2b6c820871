#include "server/store/spool.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace hemalink::store {

using records::MessageStatus;
using records::Receipt;

namespace {

class SpoolTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_ / "spool-0.hls"; }

  static Receipt receipt(std::string raw) {
    Receipt r;
    r.id = model::MessageId::generate();
    r.analyzer = "xn-1";
    r.driver = "sysmex-xn";
    r.protocol = model::WireProtocol::Hl7;
    r.peer_address = "127.0.0.1:5000";
    r.received_at = std::chrono::system_clock::now();
    r.raw = std::move(raw);
    r.link_status = MessageStatus::Incomplete;
    r.link_reason = "EOT before L";
    return r;
  }

  static void append(Spool& spool, const std::vector<Receipt>& receipts) {
    std::vector<const Receipt*> pointers;
    for (const auto& r : receipts)
      pointers.push_back(&r);
    ASSERT_TRUE(spool.append(pointers));
  }

  testing::TempDir dir_{"spool-test"};
};

void expect_same(const Receipt& a, const Receipt& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.analyzer, b.analyzer);
  EXPECT_EQ(a.driver, b.driver);
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.peer_address, b.peer_address);
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::microseconds>(a.received_at - b.received_at).count(),
      0);
  EXPECT_EQ(a.raw, b.raw);
  EXPECT_EQ(a.link_status, b.link_status);
  EXPECT_EQ(a.link_reason, b.link_reason);
}

TEST_F(SpoolTest, ReceiptsSurviveReopeningInOrderWithEveryByte) {
  std::vector<Receipt> sent = {receipt("MSH|^~\\&|A\r"), receipt(std::string("\0\x01\xFF", 3)),
                               receipt("")};
  {
    auto spool = Spool::open(file());
    ASSERT_TRUE(spool);
    append(*spool, sent);
    EXPECT_EQ(spool->pending(), 3U);
  }
  auto reopened = Spool::open(file());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->recovery().records, 3U);
  auto chunk = reopened->peek(10);
  ASSERT_TRUE(chunk);
  ASSERT_EQ(chunk->receipts.size(), 3U);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    expect_same(chunk->receipts[i], sent[i]);
  }
}

TEST_F(SpoolTest, ReplayMovesACursorAndClearEmptiesTheFile) {
  auto spool = Spool::open(file());
  ASSERT_TRUE(spool);
  append(*spool, {receipt("a"), receipt("b"), receipt("c")});
  auto first = spool->peek(2);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->receipts.size(), 2U);
  spool->mark_replayed(*first);
  EXPECT_EQ(spool->pending(), 1U);
  auto rest = spool->peek(2);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->receipts.size(), 1U);
  EXPECT_EQ(rest->receipts[0].raw, "c");
  spool->mark_replayed(*rest);
  ASSERT_TRUE(spool->clear());
  EXPECT_EQ(std::filesystem::file_size(file()), 0U);
  append(*spool, {receipt("d")});
  auto after = spool->peek(5);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->receipts.size(), 1U);
  EXPECT_EQ(after->receipts[0].raw, "d");
}

TEST_F(SpoolTest, ATornLastRecordIsCutOffAndTheRestKept) {
  {
    auto spool = Spool::open(file());
    ASSERT_TRUE(spool);
    append(*spool, {receipt("first"), receipt("second")});
  }
  const auto full = std::filesystem::file_size(file());
  std::filesystem::resize_file(file(), full - 3);  // a crash in the middle of the last write
  auto reopened = Spool::open(file());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->recovery().records, 1U);
  EXPECT_GT(reopened->recovery().torn_bytes, 0U);
  auto chunk = reopened->peek(10);
  ASSERT_TRUE(chunk);
  ASSERT_EQ(chunk->receipts.size(), 1U);
  EXPECT_EQ(chunk->receipts[0].raw, "first");
  append(*reopened, {receipt("third")});
  auto again = Spool::open(file());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recovery().records, 2U);
  EXPECT_EQ(again->recovery().torn_bytes, 0U);
}

TEST_F(SpoolTest, ADamagedRecordInTheMiddleIsSkippedAndTheFileCopiedForRecovery) {
  {
    auto spool = Spool::open(file());
    ASSERT_TRUE(spool);
    append(*spool, {receipt("one-one-one"), receipt("two-two-two"), receipt("three-three")});
  }
  std::string bytes;
  {
    std::ifstream in(file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = bytes.find("two-two-two");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'X';
  {
    std::ofstream out(file(), std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto reopened = Spool::open(file());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->recovery().records, 2U);
  EXPECT_GT(reopened->recovery().damaged_bytes, 0U);
  EXPECT_TRUE(std::filesystem::exists(reopened->recovery().damaged_copy));
  auto chunk = reopened->peek(10);
  ASSERT_TRUE(chunk);
  ASSERT_EQ(chunk->receipts.size(), 2U);
  EXPECT_EQ(chunk->receipts[0].raw, "one-one-one");
  EXPECT_EQ(chunk->receipts[1].raw, "three-three");
}

TEST_F(SpoolTest, ReceiptPayloadsRefuseTruncation) {
  const auto payload = encode_receipt(receipt("abc"));
  for (std::size_t n = 0; n < payload.size(); ++n) {
    EXPECT_FALSE(decode_receipt(std::string_view(payload).substr(0, n))) << n;
  }
  EXPECT_TRUE(decode_receipt(payload));
}

TEST_F(SpoolTest, AnUnusableDirectoryIsAnErrorNamingThePath) {
  auto spool = Spool::open(dir_ / "missing/spool-0.hls");
  ASSERT_FALSE(spool);
  EXPECT_NE(spool.error().detail.find("missing"), std::string::npos) << spool.error().detail;
}

}  // namespace
}  // namespace hemalink::store
