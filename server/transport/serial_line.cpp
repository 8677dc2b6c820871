#include "server/transport/serial_line.hpp"

#include <spdlog/spdlog.h>

#include "server/transport/backoff.hpp"

namespace hemalink::transport {
namespace {

using Port = asio::serial_port;

Port::parity::type parity_of(Parity p) {
  switch (p) {
    case Parity::Even:
      return Port::parity::even;
    case Parity::Odd:
      return Port::parity::odd;
    case Parity::None:
      break;
  }
  return Port::parity::none;
}

Port::flow_control::type flow_of(FlowControl f) {
  switch (f) {
    case FlowControl::Software:
      return Port::flow_control::software;
    case FlowControl::Hardware:
      return Port::flow_control::hardware;
    case FlowControl::None:
      break;
  }
  return Port::flow_control::none;
}

}  // namespace

SerialLine::SerialLine(asio::io_context& io, std::string name, SerialTransport line,
                       OpenConnection<asio::serial_port> open)
    : ReconnectingTransport(io, std::move(name)), line_(std::move(line)), open_(std::move(open)) {}

bool SerialLine::open(asio::serial_port& port) {
  const auto& t = line_;
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
    spdlog::warn("{}: cannot open serial device {}: {}", name_, t.device, error.message());
    return false;
  }
  return true;
}

asio::awaitable<void> SerialLine::run() {
  const auto& t = line_;
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(30));
  while (!is_stopped_) {
    asio::serial_port port(asio::make_strand(io_));
    if (!open(port)) {
      co_await pause(backoff.after_failure());
      continue;
    }
    spdlog::info("{} {}: serial line open ({} baud)", name_, t.device, t.baud);
    const bool held = co_await hold(open_, std::move(port), t.device);
    if (!held) {
      spdlog::warn("{} {}: the daemon's connections are all in use", name_, t.device);
    }
    co_await pause(held ? backoff.after_connection() : backoff.after_failure());
  }
}

}  // namespace hemalink::transport
