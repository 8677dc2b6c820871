#include "server/daemon/session_settings.hpp"

namespace hemalink::daemon {

astm::LinkOptions link_options(const config::AnalyzerConfig& analyzer) {
  astm::LinkOptions o;
  o.mode = analyzer.link == config::AstmLink::Bare ? astm::LinkMode::Bare : astm::LinkMode::E1381;
  o.limits.max_message_bytes = analyzer.max_message_bytes;
  o.establishment_timeout = analyzer.link_timeouts.establishment;
  o.reply_timeout = analyzer.link_timeouts.reply;
  o.receive_timeout = analyzer.link_timeouts.receive;
  const auto& l = analyzer.leniencies;
  o.accept_bad_checksum = l.bad_checksum;
  o.accept_unpadded_checksum = l.unpadded_checksum;
  o.accept_lenient_frame_trailer = l.lenient_frame_trailer;
  o.accept_any_frame_number = l.any_frame_number;
  o.accept_missing_frame_number = l.missing_frame_number;
  o.accept_frames_without_enq = l.frames_without_enq;
  return o;
}

SessionSettings session_settings(const config::AnalyzerConfig& analyzer, std::string address) {
  SessionSettings s;
  s.peer = {analyzer.name, analyzer.driver, std::move(address), analyzer.max_message_bytes};
  s.protocol = analyzer.protocol;
  s.link = link_options(analyzer);
  s.idle_timeout = analyzer.idle_timeout;
  return s;
}

}  // namespace hemalink::daemon
