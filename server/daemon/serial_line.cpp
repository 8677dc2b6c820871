#include "server/daemon/serial_line.hpp"

#include <spdlog/spdlog.h>

namespace hemalink::daemon {
namespace {

using Port = asio::serial_port;

Port::parity::type parity_of(config::Parity p) {
  switch (p) {
    case config::Parity::Even:
      return Port::parity::even;
    case config::Parity::Odd:
      return Port::parity::odd;
    case config::Parity::None:
      break;
  }
  return Port::parity::none;
}

Port::flow_control::type flow_of(config::FlowControl f) {
  switch (f) {
    case config::FlowControl::Software:
      return Port::flow_control::software;
    case config::FlowControl::Hardware:
      return Port::flow_control::hardware;
    case config::FlowControl::None:
      break;
  }
  return Port::flow_control::none;
}

}  // namespace

bool SerialLine::open(asio::serial_port& port) {
  const auto& t = std::get<config::SerialTransport>(analyzer_.transport);
  boost::system::error_code error;
  port.open(t.device, error);
  if (!error)
    port.set_option(Port::baud_rate(t.baud), error);
  if (!error)
    port.set_option(Port::character_size(t.data_bits), error);
  if (!error)
    port.set_option(Port::parity(parity_of(t.parity)), error);
  if (!error)
    port.set_option(Port::stop_bits(t.stop_bits == 2 ? Port::stop_bits::two : Port::stop_bits::one),
                    error);
  if (!error)
    port.set_option(Port::flow_control(flow_of(t.flow_control)), error);
  if (error) {
    spdlog::warn("{}: cannot open serial device {}: {}", analyzer_.name, t.device, error.message());
    return false;
  }
  return true;
}

asio::awaitable<void> SerialLine::run() {
  const auto& t = std::get<config::SerialTransport>(analyzer_.transport);
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(30));
  while (!is_stopped_) {
    asio::serial_port port(asio::make_strand(io_));
    if (!open(port)) {
      co_await pause(backoff.after_failure());
      continue;
    }
    spdlog::info("{} {}: serial line open ({} baud)", analyzer_.name, t.device, t.baud);
    const bool held = co_await hold(std::make_shared<SerialConnection>(
        std::move(port), session_settings(analyzer_, t.device), services_, on_closed()));
    if (!held) {
      spdlog::warn("{} {}: the daemon's connections are all in use", analyzer_.name, t.device);
    }
    co_await pause(held ? backoff.after_connection() : backoff.after_failure());
  }
}

}  // namespace hemalink::daemon
