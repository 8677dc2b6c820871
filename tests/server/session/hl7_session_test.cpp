#include "server/session/hl7_session.hpp"

#include <gtest/gtest.h>

#include "protocols/hl7/v2_message.hpp"
#include "server/config/mapping_json.hpp"
#include "server/ingest/message_reader.hpp"
#include "server/store/errc.hpp"
#include "tests/support/mllp_messages.hpp"

namespace hemalink::session {
namespace {

std::shared_ptr<ingest::MessageReader> make_reader() {
  auto i = std::make_shared<ingest::MessageReader>();
  auto mappings = config::load_mappings("loinc-cbc", "", "");
  i->add_analyzer("hl7-1", drivers::make_driver("generic-hl7", {*mappings, Charset::Utf8, {}}));
  return i;
}

// Collects what the session writes and holds its store requests until the test completes them.
class FakeIo : public SessionIo {
 public:
  void write(std::string_view bytes) override { written += bytes; }
  void submit(store::StoreRequest request,
              std::function<void(const store::Completion&)> done) override {
    requests.push_back(std::move(request));
    completions.push_back(std::move(done));
  }
  // What the store's writer would make of request i: its own content, or the reader's.
  records::MessageContent content(std::size_t i) const {
    const auto& r = requests.at(i);
    return r.content ? *r.content : reader->read(r.receipt);
  }
  // Completes request i as the store would: saying what was read, unless it never was. A failed
  // one fails by `detail`.
  void complete(std::size_t i, store::StoreOutcome outcome, std::string detail = "") {
    auto c = outcome == store::StoreOutcome::Failed
                 ? store::Completion(Error{store::StoreErrc::Retryable, std::move(detail)})
                 : store::Completion(outcome, std::move(detail));
    c.content = records::summarize(content(i));
    completions.at(i)(c);
  }
  void complete_unread(std::size_t i, store::StoreOutcome outcome) {
    completions.at(i)(store::Completion{outcome});
  }
  // The ACKs written so far, unwrapped from MLLP.
  std::vector<hl7::V2Message> acks() const { return testing::mllp_messages(written); }

  // One field of every ACK written so far.
  std::vector<std::string> ack_fields(const char* path) const {
    std::vector<std::string> out;
    for (const auto& ack : acks()) {
      out.emplace_back(ack.get(*hl7::V2Path::parse(path)));
    }
    return out;
  }

  // A host query is answered with `reply` (held until answer_now() when `holds_reply`).
  void answer_host_query(std::string, std::function<void(HostReply)> done) override {
    answer = std::move(done);
    if (!holds_reply)
      answer_now();
  }
  void answer_now() { answer(reply); }
  void work_acknowledged(std::vector<long long> ids) override { taken.push_back(std::move(ids)); }

  HostReply reply;
  bool holds_reply = false;
  std::function<void(HostReply)> answer;
  std::vector<std::vector<long long>> taken;
  std::shared_ptr<const ingest::MessageReader> reader = make_reader();
  std::string written;
  std::vector<store::StoreRequest> requests;
  std::vector<std::function<void(const store::Completion&)>> completions;
};

std::string oru(const std::string& control_id, const std::string& extra_msh = "") {
  return "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122101500||ORU^R01|" + control_id + "|P|2.5" +
         extra_msh + "\rPID|1||PAT1\rOBR|1||SPEC" + control_id +
         "\rOBX|1|NM|WBC^White cells||6.1|10*3/uL|4.0-10.0|N|||F\r";
}

std::string framed(const std::string& payload) {
  std::string out;
  hl7::mllp_wrap(payload, out);
  return out;
}

std::string field(const hl7::V2Message& m, const char* path) {
  return std::string(m.get(*hl7::V2Path::parse(path)));
}

class Hl7SessionTest : public ::testing::Test {
 protected:
  FakeIo io;
  Hl7Session session{{"hl7-1", "generic-hl7", "127.0.0.1:40000", 1 << 20}, io};
};

TEST_F(Hl7SessionTest, AcknowledgesOnlyOnceTheStoreHasTheMessage) {
  session.feed(as_bytes(framed(oru("C1"))));
  ASSERT_EQ(io.requests.size(), 1U);
  EXPECT_EQ(io.requests[0].receipt.analyzer, "hl7-1");
  EXPECT_EQ(io.requests[0].receipt.raw, oru("C1"));
  EXPECT_FALSE(io.requests[0].content) << "the store's writer reads it, not the I/O thread";
  EXPECT_EQ(io.content(0).status, records::MessageStatus::Accepted);
  ASSERT_EQ(io.content(0).result_sets.size(), 1U);
  EXPECT_EQ(io.content(0).control_id, "C1");
  EXPECT_TRUE(io.written.empty()) << "no ACK before the commit";
  io.complete(0, store::StoreOutcome::Stored);
  const auto acks = io.acks();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(field(acks[0], "MSA-1"), "AA");
  EXPECT_EQ(field(acks[0], "MSA-2"), "C1");
  EXPECT_EQ(field(acks[0], "MSH-5"), "BC5380");
  EXPECT_EQ(field(acks[0], "MSH-10").size(), 20U);
  EXPECT_EQ(session.awaiting_acknowledgement(), 0U);
}

const std::string kQuery =
    "MSH|^~\\&|BA400|LAB|hemalink||20261128||QBP^Q11^QBP_Q11|Q1|P|2.5.1\r"
    "QPD|WOS^Work Order Step^IHE_LABTF|T1|S-1\rRCP|I||R\r";

TEST_F(Hl7SessionTest, AQueryIsAnsweredAtOnceAndItsWorkOrderTakenByTheAnalyzersOrl) {
  io.reply = {"MSH|^~\\&|hemalink||BA400||20261128||RSP^K11^RSP_K11|R1|P|2.5.1\rMSA|AA|Q1\r",
              "MSH|^~\\&|hemalink||BA400||20261128||OML^O33^OML_O33|W1|P|2.5.1\rSPM|1|S-1\r",
              {7, 8}};
  session.feed(as_bytes(framed(oru("C0")) + framed(kQuery)));
  EXPECT_TRUE(io.written.empty()) << "the ORU before it is not durable yet: answers keep order";
  io.complete(0, store::StoreOutcome::Stored);
  EXPECT_EQ(io.ack_fields("MSH-9"),
            (std::vector<std::string>{"ACK^R01^ACK", "RSP^K11^RSP_K11", "OML^O33^OML_O33"}))
      << "the query answered before its own commit";
  EXPECT_EQ(session.awaiting_acknowledgement(), 0U);
  ASSERT_EQ(io.requests.size(), 3U);
  EXPECT_EQ(io.requests[2].receipt.direction, records::Direction::Out) << "the work order, kept";
  EXPECT_EQ(io.requests[2].receipt.raw, io.reply.follow_up);
  io.complete(1, store::StoreOutcome::Stored);
  EXPECT_EQ(io.acks().size(), 3U) << "its commit adds nothing";

  session.feed(
      as_bytes(framed("MSH|^~\\&|BA400|LAB|hemalink||20261128||ORL^O34^ORL_O34|L1|P|"
                      "2.5.1\rMSA|AE|W1\r")));
  EXPECT_TRUE(io.taken.empty()) << "AE: the analyzer did not take it";
  io.complete(3, store::StoreOutcome::Stored);
  session.feed(as_bytes(framed(kQuery)));
  session.feed(
      as_bytes(framed("MSH|^~\\&|BA400|LAB|hemalink||20261128||ORL^O34^ORL_O34|L2|P|"
                      "2.5.1\rMSA|AA|W1\r")));
  ASSERT_EQ(io.taken.size(), 1U);
  EXPECT_EQ(io.taken[0], (std::vector<long long>{7, 8}));
  EXPECT_EQ(io.acks().size(), 5U) << "the analyzer's ORLs are not answered";
}

TEST_F(Hl7SessionTest, AQueryTheIoHasNoAnswerForIsAcknowledgedOnceStored) {
  session.feed(as_bytes(framed(kQuery)));
  EXPECT_TRUE(io.written.empty());
  io.complete(0, store::StoreOutcome::Stored);
  EXPECT_EQ(io.ack_fields("MSA-1"), (std::vector<std::string>{"AA"}));
}

TEST_F(Hl7SessionTest, SpooledAndDuplicateMessagesAreAcknowledgedToo) {
  session.feed(as_bytes(framed(oru("C1")) + framed(oru("C2"))));
  io.complete(0, store::StoreOutcome::Spooled);
  io.complete(1, store::StoreOutcome::Duplicate, "repeats message x");
  EXPECT_EQ(io.ack_fields("MSA-1"), (std::vector<std::string>{"AA", "AA"}));
}

TEST_F(Hl7SessionTest, AMessageSpooledBeforeItWasReadIsAcknowledged) {
  session.feed(as_bytes(framed(oru("C1"))));
  io.complete_unread(0, store::StoreOutcome::Spooled);
  EXPECT_EQ(io.ack_fields("MSA-1"), (std::vector<std::string>{"AA"}));
}

TEST_F(Hl7SessionTest, AcknowledgementsLeaveInArrivalOrder) {
  session.feed(as_bytes(framed(oru("C1")) + framed(oru("C2")) + framed(oru("C3"))));
  io.complete(2, store::StoreOutcome::Stored);
  io.complete(1, store::StoreOutcome::Stored);
  EXPECT_TRUE(io.written.empty()) << "C1 is not durable yet";
  io.complete(0, store::StoreOutcome::Stored);
  EXPECT_EQ(io.ack_fields("MSA-2"), (std::vector<std::string>{"C1", "C2", "C3"}));
}

TEST_F(Hl7SessionTest, AMessageThatDoesNotParseIsStoredAsRejectedAndAnsweredWithAnError) {
  const std::string broken = "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122||ORU^R01|C9|P|2.5\rOBX|1|NM";
  session.feed(as_bytes(framed(broken)));
  ASSERT_EQ(io.requests.size(), 1U);
  EXPECT_EQ(io.content(0).status, records::MessageStatus::Rejected);
  EXPECT_EQ(io.requests[0].receipt.raw, broken);
  io.complete(0, store::StoreOutcome::Stored);
  const auto acks = io.acks();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(field(acks[0], "MSA-1"), "AE");
  EXPECT_EQ(field(acks[0], "MSA-2"), "C9");
  EXPECT_TRUE(acks[0].find("ERR")) << "an ERR segment says why";
}

TEST_F(Hl7SessionTest, AMessageTheStoreCouldNotKeepIsRefusedSoTheAnalyzerSendsItAgain) {
  session.feed(as_bytes(framed(oru("C1", "|||||||"))));
  session.feed(as_bytes(framed(oru("C2", "||||AL|NE"))));
  io.complete(0, store::StoreOutcome::Failed, "the database is unreachable and the disk is full");
  io.complete(1, store::StoreOutcome::Failed, "queue full");
  // Enhanced mode (MSH-15/16 valued) answers CR.
  EXPECT_EQ(io.ack_fields("MSA-1"), (std::vector<std::string>{"AR", "CR"}));
  const auto acks = io.acks();
  ASSERT_EQ(acks.size(), 2U);
  EXPECT_NE(acks[1].text().find("not stored: queue full"), std::string::npos)
      << "the ERR segment names the failure";
  EXPECT_EQ(session.counts().refused, 2U);
}

// HL7 v2.5.1 chapter 2: in enhanced mode MSH-15 says when a commit acknowledgement goes (CA, CE,
// CR) and MSH-16 when an application acknowledgement does, as its own message.
TEST_F(Hl7SessionTest, EnhancedModeSendsEachAcknowledgementTheSenderAsksFor) {
  struct Case {
    const char* modes;  // MSH-15|MSH-16
    store::StoreOutcome outcome;
    std::vector<std::string> answers;  // MSH-9.1 MSA-1 of each message written
  };
  const std::vector<Case> cases = {
      {"AL|AL", store::StoreOutcome::Stored, {"ACK CA", "ACK AA"}},
      {"ER|AL", store::StoreOutcome::Stored, {"ACK AA"}},
      {"AL|NE", store::StoreOutcome::Stored, {"ACK CA"}},
      {"SU|ER", store::StoreOutcome::Stored, {"ACK CA"}},
      {"NE|NE", store::StoreOutcome::Stored, {}},
      {"ER|ER", store::StoreOutcome::Stored, {}},
      {"AL|AL", store::StoreOutcome::Duplicate, {"ACK CA", "ACK AA"}},
      {"NE|NE", store::StoreOutcome::Failed, {"ACK CR"}},
      {"ER|AL", store::StoreOutcome::Failed, {"ACK CR"}},
      {"|AL", store::StoreOutcome::Stored, {"ACK AA"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.modes);
    FakeIo one;
    Hl7Session s{{"hl7-1", "generic-hl7", "127.0.0.1:40000", 1 << 20}, one};
    s.feed(as_bytes(framed(oru("E1", std::string("|||") + c.modes))));
    one.complete(0, c.outcome, "the database is unreachable");
    std::vector<std::string> got;
    std::vector<std::string> ids;
    for (const auto& m : one.acks()) {
      got.push_back(field(m, "MSH-9.1") + " " + field(m, "MSA-1"));
      ids.push_back(field(m, "MSH-10"));
      EXPECT_EQ(field(m, "MSA-2"), "E1");
    }
    EXPECT_EQ(got, c.answers);
    if (ids.size() == 2) {
      EXPECT_NE(ids[0], ids[1]) << "the application acknowledgement has its own MSH-10";
      EXPECT_EQ(field(one.acks()[1], "MSH-16"), "NE") << "and asks for no answer itself";
    }
  }
}

// The BA400 asks in enhanced mode (ER/AL): its RSP^K11 is the application answer, and no ACK of
// the query goes beside it, whether the query is stored before or after the reply is ready.
TEST_F(Hl7SessionTest, AQueryInEnhancedModeIsAnsweredByItsResponseAlone) {
  io.reply = {"MSH|^~\\&|hemalink||BA400||20261128||RSP^K11^RSP_K11|R1|P|2.5.1\rMSA|AA|Q1\r",
              "MSH|^~\\&|hemalink||BA400||20261128||OML^O33^OML_O33|W1|P|2.5.1\rSPM|1|S-1\r",
              {7}};
  io.holds_reply = true;
  std::string query = kQuery;
  query.replace(query.find("2.5.1\r"), 6, "2.5.1|||ER|AL\r");
  session.feed(as_bytes(framed(query)));
  io.complete(0, store::StoreOutcome::Stored);
  io.answer_now();
  EXPECT_EQ(io.ack_fields("MSH-9.1"), (std::vector<std::string>{"RSP", "OML"}));
}

TEST_F(Hl7SessionTest, EnhancedModeAnswersAMessageStoredAsRejectedCeThenAe) {
  const std::string broken =
      "MSH|^~\\&|BC5380|LAB|LIS|HOSP|20261122||ORU^R01|C9|P|2.5|||AL|AL\rOBX|1|NM";
  session.feed(as_bytes(framed(broken)));
  io.complete(0, store::StoreOutcome::Stored);
  EXPECT_EQ(io.ack_fields("MSA-1"), (std::vector<std::string>{"CE", "AE"}));
}

TEST_F(Hl7SessionTest, BytesSplitAnywhereGiveTheSameMessages) {
  const auto stream = framed(oru("C1")) + framed(oru("C2"));
  for (std::size_t i = 0; i < stream.size(); ++i) {
    session.feed(as_bytes(std::string_view(stream).substr(i, 1)));
  }
  ASSERT_EQ(io.requests.size(), 2U);
  EXPECT_EQ(io.requests[0].receipt.raw, oru("C1"));
  EXPECT_EQ(io.requests[1].receipt.raw, oru("C2"));
}

TEST_F(Hl7SessionTest, AnOversizeFrameIsKeptRawAndAnswered) {
  FakeIo small_io;
  Hl7Session small{{"hl7-1", "generic-hl7", "127.0.0.1:40000", 64}, small_io};
  small.feed(as_bytes(framed(oru("C1"))));
  ASSERT_EQ(small_io.requests.size(), 1U);
  EXPECT_EQ(small_io.content(0).status, records::MessageStatus::Rejected);
  EXPECT_FALSE(small_io.content(0).reject_reason.empty());
  EXPECT_TRUE(small_io.requests[0].receipt.raw.starts_with("MSH|"));
  small_io.complete(0, store::StoreOutcome::Stored);
  const auto acks = small_io.acks();
  ASSERT_EQ(acks.size(), 1U);
  EXPECT_EQ(field(acks[0], "MSA-1"), "AE");
  EXPECT_EQ(small.counts().framing_errors, 1U);
}

TEST_F(Hl7SessionTest, AFrameCutByTheConnectionClosingIsNeitherStoredNorAcknowledged) {
  const auto whole = framed(oru("C1"));
  session.feed(as_bytes(std::string_view(whole).substr(0, whole.size() / 2)));
  session.finish();
  EXPECT_TRUE(io.requests.empty());
  EXPECT_TRUE(io.written.empty());
}

}  // namespace
}  // namespace hemalink::session
