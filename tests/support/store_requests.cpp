#include "tests/support/store_requests.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "server/cli/capture_messages.hpp"
#include "server/config/mapping_json.hpp"
#include "tests/support/corpus.hpp"

namespace hemalink::testing {

std::shared_ptr<ingest::MessageReader> reader_for_every_driver(ingest::Decider decider) {
  auto reader = std::make_shared<ingest::MessageReader>(std::move(decider));
  for (const std::string name : {"sysmex-xn", "sysmex-cs", "generic-astm", "generic-hl7"}) {
    // generic-hl7 with the LOINC CBC table (the HL7 messages of the tests are CBCs).
    auto mappings = config::load_mappings(
        name == "generic-hl7" ? "loinc-cbc" : config::default_mapping_base(name), "", "");
    EXPECT_TRUE(mappings) << name;
    auto driver = drivers::make_driver(name, {std::move(*mappings), Charset::Latin1, {}});
    // The Horiba captures double their repeat delimiter (a publishing artefact).
    reader->add_analyzer(name, std::move(driver), astm::Lis2Leniency{true});
  }
  return reader;
}

records::Receipt receipt(std::string analyzer, std::string driver, model::WireProtocol protocol,
                         std::string raw) {
  return records::Receipt::arrived(std::move(analyzer), std::move(driver), protocol,
                                   "127.0.0.1:40001", std::move(raw));
}

std::vector<store::StoreRequest> requests_from_capture(const std::filesystem::path& file,
                                                       const ingest::MessageReader& reader) {
  std::vector<std::string> warnings;
  auto captured = cli::read_messages(read_file(file), {}, warnings);
  EXPECT_TRUE(captured) << file << ": " << (captured ? "" : captured.error().describe());
  std::vector<store::StoreRequest> requests;
  if (!captured) {
    return requests;
  }
  const auto driver = corpus_driver(file);
  auto add = [&](model::WireProtocol protocol, const std::string& text) {
    auto r = receipt(driver, driver, protocol, text);
    auto content = reader.read(r);
    requests.push_back({std::move(r), std::move(content)});
  };
  for (const auto& m : captured->astm) {
    add(model::WireProtocol::Astm, m.message.text());
  }
  for (const auto& m : captured->hl7) {
    add(model::WireProtocol::Hl7, m.message.text());
  }
  return requests;
}

namespace {

model::Observation observation(std::string code, std::string value) {
  model::Observation o;
  o.code = code;
  o.raw_code = code;
  o.is_mapped = true;
  o.value = value;
  o.units = "10*3/uL";
  return o;
}

}  // namespace

store::StoreRequest synthetic(const std::string& analyzer, const std::string& tag,
                              std::size_t results, model::SpecimenKind kind) {
  store::StoreRequest r{receipt(analyzer, "generic-hl7", model::WireProtocol::Hl7,
                                fmt::format("MSH|^~\\&|{}|\r", tag)),
                        records::MessageContent{}};
  model::ResultSet set;
  set.specimen_id = "S" + tag;
  set.kind = kind;
  set.patient = model::Patient{"P" + tag, "F", "19800101", std::nullopt};
  for (std::size_t i = 0; i < results; ++i) {
    set.observations.push_back(observation(fmt::format("T{}", i), fmt::format("{}.5", i)));
  }
  r.content->decisions.push_back(std::vector<model::Decision>(
      results, model::hold_for_review("system:test", "held by the test")));
  r.content->result_sets.push_back(std::move(set));
  return r;
}

}  // namespace hemalink::testing
