// The order conformance fixtures (tests/fixtures/orders): each message, written from a published
// example of HL7 v2.5.1 chapter 4, IHE LAW or the NIST LOI test messages (or LIS02-A2 for ASTM),
// beside a JSON of what must be read from it and how its sender is answered in each MSH-15/16
// acknowledgement mode. One test replays them all; a new case is two files, no C++.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "protocols/hl7/mllp.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/orders/order_answers.hpp"
#include "server/orders/order_reading.hpp"
#include "server/session/hl7_session.hpp"
#include "tests/support/corpus.hpp"
#include "tests/support/mllp_messages.hpp"
#include "tests/support/order_fixtures.hpp"

namespace hemalink::orders {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kFixtures = testing::order_fixtures_dir();

config::LisMapping fixture_mapping() {
  auto mapping = config::lis_mapping_from_json(testing::read_file(kFixtures / "lis-mapping.json"),
                                               "tests/fixtures/orders/lis-mapping.json");
  EXPECT_TRUE(mapping);
  return mapping ? *mapping : config::LisMapping{};
}

records::Receipt receipt_of(const std::string& raw, model::WireProtocol protocol) {
  return records::Receipt::arrived("lis-1", "", protocol, "127.0.0.1:40000", raw);
}

// "FBC -> WBC, RBC, ..." per code the LIS ordered; "GLU -> not mapped".
json tests_of(const records::MappedOrder& m) {
  json out = json::array();
  std::string current;
  std::string line;
  auto flush = [&] {
    if (!current.empty())
      out.push_back(line);
  };
  for (const auto& t : m.tests) {
    if (t.lis_code != current) {
      flush();
      current = t.lis_code;
      line = t.lis_code + " -> " + (t.is_mapped ? t.code : std::string("not mapped"));
    } else {
      line += ", " + t.code;
    }
  }
  flush();
  return out;
}

json as_json(const records::OrderReceipt& r) {
  json orders = json::array();
  for (const auto& m : r.orders) {
    const auto& o = m.order;
    json patient = nullptr;
    if (o.patient)
      patient = {
          {"id", o.patient->id}, {"sex", o.patient->sex}, {"birth_date", o.patient->birth_date}};
    orders.push_back({{"control", model::to_string(o.control)},
                      {"specimen", o.specimen_id},
                      {"placer", o.placer_number},
                      {"filler", o.filler_number},
                      {"patient", patient},
                      {"location", o.location},
                      {"priority", model::to_string(o.priority)},
                      {"collected_at", o.collected_at},
                      {"specimen_type", o.specimen_type.code},
                      {"specimen_source", o.specimen_source},
                      {"comment", o.comment},
                      {"tests", tests_of(m)}});
  }
  return orders;
}

// `raw` with MSH-15 and MSH-16 set to `mode` ("AL/ER"), or both removed ("original").
std::string in_mode(const std::string& raw, const std::string& mode) {
  const auto end = raw.find('\r');
  std::vector<std::string> fields;
  std::stringstream msh(raw.substr(0, end));
  for (std::string f; std::getline(msh, f, '|');)
    fields.push_back(f);
  fields.resize(std::max<std::size_t>(fields.size(), 16));  // MSH-16 is index 15
  const auto slash = mode.find('/');
  fields[14] = mode == "original" ? "" : mode.substr(0, slash);
  fields[15] = mode == "original" ? "" : mode.substr(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += (i ? "|" : "") + fields[i];
  return out + raw.substr(end);
}

// Plays the order feed's connection: the session hands the message to this sink, which reads it
// and answers it as the intake does (without a database: the orders are taken as applied).
class FeedIo : public session::SessionIo {
 public:
  explicit FeedIo(const config::LisMapping& mapping) : mapping_(mapping) {}
  void write(std::string_view bytes) override { written += bytes; }
  void submit(store::StoreRequest request,
              std::function<void(const store::Completion&)> done) override {
    auto orders = read_order_message(request.receipt, mapping_, Charset::Utf8);
    store::Completion c{store::StoreOutcome::Stored};
    records::ContentSummary summary;
    summary.status =
        orders.refusal ? records::MessageStatus::Rejected : records::MessageStatus::Accepted;
    summary.reason = orders.refusal.value_or("");
    c.content = summary;
    if (!orders.refusal)
      answer_order_message(orders, c);
    done(c);
  }
  std::vector<hl7::V2Message> messages() const { return testing::mllp_messages(written); }
  std::string written;

 private:
  const config::LisMapping& mapping_;
};

std::string at(const hl7::V2Message& m, const char* path) {
  return std::string(m.get(*hl7::V2Path::parse(path)));
}

// What the sender of `raw` reads back in `mode`: "MSH-9.1^MSH-9.2 MSA-1" of each message, and
// the ORC-1 and ORC-2 of each order in the application acknowledgement.
struct Answered {
  json messages = json::array();
  json orders = json::array();
  json errors = json::array();
};

Answered answered(const std::string& raw, const config::LisMapping& mapping) {
  FeedIo io(mapping);
  session::Hl7Session session({"lis-1", "", "127.0.0.1:40000", 1 << 20}, io);
  std::string framed;
  hl7::mllp_wrap(raw, framed);
  session.feed(as_bytes(framed));
  Answered out;
  std::set<std::string> control_ids;
  for (const auto& m : io.messages()) {
    out.messages.push_back(at(m, "MSH-9.1") + "^" + at(m, "MSH-9.2") + " " + at(m, "MSA-1"));
    EXPECT_EQ(at(m, "MSA-2"), at(*hl7::V2Message::parse(raw), "MSH-10"));
    EXPECT_TRUE(control_ids.insert(at(m, "MSH-10")).second) << "each answer has its own MSH-10";
    for (std::size_t i = 0; i < m.segment_count(); ++i) {
      const auto s = m.segment(i);
      if (s.id() == "ORC")
        out.orders.push_back(std::string(s.field(1)) + " " + std::string(s.field(2)));
      if (s.id() == "ERR" && at(m, "MSH-9.1") != "ACK")
        out.errors.push_back(std::string(s.field(2)));
    }
  }
  return out;
}

std::vector<fs::path> fixtures() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kFixtures)) {
    const auto ext = e.path().extension();
    if (ext == ".hl7" || ext == ".astm")
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(OrderFixtures, EveryFixtureHasItsExpectations) {
  ASSERT_GE(fixtures().size(), 10u);
  for (const auto& path : fixtures()) {
    EXPECT_TRUE(fs::exists(fs::path(path).replace_extension(".json"))) << path;
  }
}

TEST(OrderFixtures, EachMessageIsReadAndAnsweredAsItsJsonSays) {
  const auto mapping = fixture_mapping();
  for (const auto& path : fixtures()) {
    SCOPED_TRACE(path.filename().string());
    const auto expected =
        json::parse(testing::read_file(fs::path(path).replace_extension(".json")));
    const auto raw = testing::fixture_as_sent(path);
    const auto protocol =
        path.extension() == ".astm" ? model::WireProtocol::Astm : model::WireProtocol::Hl7;
    const auto read = read_order_message(receipt_of(raw, protocol), mapping, Charset::Utf8);
    if (expected.contains("refusal")) {
      ASSERT_TRUE(read.refusal);
      EXPECT_NE(read.refusal->find(expected["refusal"].get<std::string>()), std::string::npos)
          << *read.refusal;
    } else {
      ASSERT_FALSE(read.refusal) << *read.refusal;
      EXPECT_EQ(as_json(read), expected["orders"]) << as_json(read).dump(1);
    }
    if (!expected.contains("acknowledgements"))
      continue;
    for (const auto& [mode, messages] : expected["acknowledgements"].items()) {
      SCOPED_TRACE(mode);
      const auto got = answered(in_mode(raw, mode), mapping);
      EXPECT_EQ(got.messages, messages) << got.messages.dump();
      if (mode == "AL/AL" && expected.contains("answered_orders")) {
        EXPECT_EQ(got.orders, expected["answered_orders"]) << got.orders.dump();
        EXPECT_EQ(got.errors, expected.value("errors_at", json::array())) << got.errors.dump();
      }
    }
  }
}

}  // namespace
}  // namespace hemalink::orders
