#include "server/daemon/serial_line.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/daemon/redial.hpp"

namespace hemalink::daemon {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
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

SerialLine::SerialLine(asio::io_context& io, config::AnalyzerConfig analyzer,
                       ConnectionServices services)
    : io_(io),
      analyzer_(std::move(analyzer)),
      services_(std::move(services)),
      strand_(asio::make_strand(io)),
      wait_(strand_) {}

void SerialLine::start() {
  asio::co_spawn(strand_, open_loop(), asio::detached);
}

void SerialLine::stop() {
  asio::post(strand_, [this] {
    is_stopped_ = true;
    wait_.cancel();
  });
}

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

asio::awaitable<void> SerialLine::open_loop() {
  const auto& t = std::get<config::SerialTransport>(analyzer_.transport);
  Backoff backoff(std::chrono::seconds(1), std::chrono::seconds(30));
  while (!is_stopped_) {
    asio::serial_port port(asio::make_strand(io_));
    std::chrono::milliseconds delay;
    if (!open(port)) {
      delay = backoff.after_failure();
    } else {
      wait_.expires_at(asio::steady_timer::time_point::max());
      auto connection = std::make_shared<SerialConnection>(
          std::move(port), session_settings(analyzer_, t.device), services_,
          [this] { asio::post(strand_, [this] { wait_.cancel(); }); });
      if (!services_.registry.add(connection, analyzer_.name, 1)) {
        spdlog::warn("{} {}: the daemon's connections are all in use", analyzer_.name, t.device);
        delay = backoff.after_failure();
      } else {
        spdlog::info("{} {}: serial line open ({} baud)", analyzer_.name, t.device, t.baud);
        connection->start();
        co_await wait_.async_wait(kAwait);
        delay = backoff.after_connection();
      }
    }
    if (is_stopped_) {
      break;
    }
    wait_.expires_after(delay);
    co_await wait_.async_wait(kAwait);
  }
}

}  // namespace hemalink::daemon
