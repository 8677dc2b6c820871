#include "server/simulate/lis_sim_ledger.hpp"

#include <nlohmann/json.hpp>

#include "protocols/astm/lis2_records.hpp"
#include "protocols/hl7/v2_message.hpp"

namespace hemalink::simulate {
namespace {

bool is_nth(std::uint64_t sequence, unsigned every) {
  return every > 0 && sequence % every == 0;
}

std::string component(std::string_view field, char delimiter, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) {
    const auto next = field.find(delimiter, start);
    if (next == std::string_view::npos) {
      return {};
    }
    start = next + 1;
  }
  return std::string(field.substr(start, field.find(delimiter, start) - start));
}

void read_hl7(std::string_view payload, LisSimMessage& m) {
  auto parsed = hl7::V2Message::parse(std::string(payload));
  if (!parsed) {
    m.error = parsed.error().describe();
    return;
  }
  const char c = parsed->encoding().component;
  if (auto msh = parsed->find("MSH")) {
    m.control_id = std::string(msh->field(10));
  }
  if (auto obr = parsed->find("OBR")) {
    m.specimen_id = std::string(obr->field(3));
  }
  if (auto spm = parsed->find("SPM")) {  // OBR-3 is the filler number of an ordered test
    if (auto specimen = component(spm->field(2), c, 1); !specimen.empty())
      m.specimen_id = specimen;
  }
  for (std::size_t i = 1;; ++i) {
    auto obr = parsed->find("OBR", i);
    if (!obr) {
      break;
    }
    if (!obr->field(2).empty())
      m.placer_numbers.emplace_back(obr->field(2));
  }
  for (std::size_t i = 1;; ++i) {
    auto obx = parsed->find("OBX", i);
    if (!obx) {
      break;
    }
    m.codes.push_back(component(obx->field(3), c, 0));
    hl7::V2Path value;
    value.segment = "OBX";
    value.occurrence = i;
    value.field = 5;
    m.values.push_back(parsed->text_at(value));
    m.statuses.push_back(std::string(obx->field(11)));
  }
}

void read_astm(std::string_view payload, LisSimMessage& m) {
  auto parsed = astm::Lis2Message::parse(std::string(payload));
  if (!parsed) {
    m.error = parsed.error().describe();
    return;
  }
  const char c = parsed->delimiters().component;
  for (std::size_t i = 0; i < parsed->record_count(); ++i) {
    const auto r = parsed->record(i);
    if (r.type() == 'H') {
      m.control_id = std::string(r.field(2));
    } else if (r.type() == 'O' && m.specimen_id.empty()) {
      m.specimen_id = std::string(r.field(2));
    } else if (r.type() == 'R') {
      m.codes.push_back(component(r.field(2), c, 3));
      m.values.push_back(std::string(r.field(3)));
      m.statuses.push_back(std::string(r.field(8)));
    }
  }
}

}  // namespace

LisSimReply reply_for(std::uint64_t sequence, const LisSimFaults& f) {
  if (is_nth(sequence, f.drop_connection_every)) {
    return LisSimReply::Drop;
  }
  if (is_nth(sequence, f.silent_every) || (f.ack_every > 1 && !is_nth(sequence, f.ack_every))) {
    return LisSimReply::Silent;
  }
  if (is_nth(sequence, f.late_ack_every)) {
    return LisSimReply::Late;
  }
  if (is_nth(sequence, f.nack_every)) {
    return LisSimReply::Nack;
  }
  return LisSimReply::Ack;
}

const char* to_string(LisSimReply reply) {
  switch (reply) {
    case LisSimReply::Ack:
      return "ack";
    case LisSimReply::Nack:
      return "nack";
    case LisSimReply::Silent:
      return "silent";
    case LisSimReply::Late:
      return "late";
    case LisSimReply::Drop:
      return "drop";
  }
  return "?";
}

LisSimMessage read_lis_message(std::string_view payload, model::WireProtocol protocol) {
  LisSimMessage m;
  if (protocol == model::WireProtocol::Astm) {
    read_astm(payload, m);
  } else {
    read_hl7(payload, m);
  }
  return m;
}

LisSimLedger::LisSimLedger(LisSimFaults faults, model::WireProtocol protocol,
                           const std::filesystem::path& record_file)
    : faults_(faults), protocol_(protocol) {
  if (!record_file.empty()) {
    record_.open(record_file, std::ios::out | std::ios::trunc);
    if (!record_) {
      throw std::runtime_error("lis-sim: cannot write " + record_file.string());
    }
  }
}

LisSimMessage LisSimLedger::receive(std::string_view payload) {
  auto m = read_lis_message(payload, protocol_);
  std::lock_guard lock(mutex_);
  m.sequence = ++totals_.received;
  m.at_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
                .count();
  const auto reply = reply_for(m.sequence, faults_);
  m.answer = reply;
  m.reply = to_string(reply);
  m.is_duplicate = !m.control_id.empty() && !control_ids_.insert(m.control_id).second;
  totals_.duplicates += m.is_duplicate ? 1 : 0;
  totals_.distinct_control_ids = control_ids_.size();
  switch (reply) {
    case LisSimReply::Ack:
      ++totals_.acknowledged;
      break;
    case LisSimReply::Nack:
      ++totals_.refused;
      break;
    case LisSimReply::Silent:
      ++totals_.silent;
      break;
    case LisSimReply::Late:
      ++totals_.late;
      break;
    case LisSimReply::Drop:
      ++totals_.dropped;
      break;
  }
  if (record_.is_open()) {
    record_ << to_json_line(m) << '\n';
    record_.flush();
  }
  messages_.push_back(m);
  return m;
}

void LisSimLedger::count_connection() {
  std::lock_guard lock(mutex_);
  ++totals_.connections;
}

LisSimTotals LisSimLedger::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

std::vector<LisSimMessage> LisSimLedger::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::string to_json_line(const LisSimMessage& m) {
  nlohmann::json j = {{"sequence", m.sequence},
                      {"at_ms", m.at_ms},
                      {"control_id", m.control_id},
                      {"specimen", m.specimen_id},
                      {"placer_numbers", m.placer_numbers},
                      {"codes", m.codes},
                      {"values", m.values},
                      {"statuses", m.statuses},
                      {"reply", m.reply},
                      {"duplicate", m.is_duplicate}};
  if (!m.error.empty()) {
    j["error"] = m.error;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace hemalink::simulate
