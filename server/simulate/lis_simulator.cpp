#include "server/simulate/lis_simulator.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <optional>

#include "drivers/model/compact_time.hpp"
#include "protocols/astm/e1381_link.hpp"
#include "protocols/hl7/mllp.hpp"
#include "protocols/hl7/v2_ack.hpp"

namespace hemalink::simulate {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Collects what a framer or link hands over while bytes are fed, for the loop to act on after.
struct Collected final : hl7::MllpSink, astm::LinkSink {
  std::vector<std::string> messages;
  std::string to_write;

  void on_message(std::string_view payload, std::size_t) override {
    messages.emplace_back(payload);
  }
  void on_error(const ParseError&, std::string_view) override {}
  void on_write(std::string_view bytes) override { to_write.append(bytes); }
  void on_arm_timer(astm::LinkTimer, std::chrono::milliseconds) override {}
  void on_cancel_timer(astm::LinkTimer) override {}
  void on_message(std::string_view records, astm::MessageEnd end, std::size_t) override {
    if (end == astm::MessageEnd::Terminated) {
      messages.emplace_back(records);
    }
  }
  void on_notice(astm::LinkNotice, std::size_t) override {}
  void on_sent(std::uint64_t, std::error_code) override {}
};

astm::LinkOptions receiver_options() {
  astm::LinkOptions o;
  o.defer_message_ack = true;
  return o;
}

std::string hl7_ack(std::string_view payload, const LisSimMessage& m, hl7::AckCode code) {
  hl7::AckHeader header;
  header.application = "lis-sim";
  header.control_id = fmt::format("LS{}", m.sequence);
  header.timestamp = model::compact_utc(std::chrono::system_clock::now());
  std::optional<hl7::AckError> error;
  if (code != hl7::AckCode::AA) {
    error = hl7::AckError{"MSH", 1, 10, 207,
                          fmt::format("lis-sim refuses message {} (--nack-every)", m.sequence)};
  }
  std::string ack;
  hl7::build_ack(hl7::AckContext::from_raw(payload), code, error, header, ack);
  std::string framed;
  hl7::mllp_wrap(ack, framed);
  return framed;
}

}  // namespace

struct LisSimulator::Connection {
  explicit Connection(asio::ip::tcp::socket s)
      : socket(std::move(s)), delay(socket.get_executor()) {}
  asio::ip::tcp::socket socket;
  asio::steady_timer delay;
  std::array<std::byte, 16 * 1024> buffer;
};

LisSimulator::LisSimulator(asio::io_context& io, LisSimOptions options)
    : io_(io),
      options_(std::move(options)),
      ledger_(options_.faults, options_.protocol, options_.record_file),
      acceptor_(io) {
  boost::system::error_code error;
  const auto address = asio::ip::make_address(options_.host, error);
  if (error) {
    throw std::runtime_error(fmt::format("lis-sim: \"{}\" is not an IP address", options_.host));
  }
  const asio::ip::tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint, error);
  if (error) {
    throw std::runtime_error(fmt::format("lis-sim: cannot listen on {}:{}: {}", options_.host,
                                         options_.port, error.message()));
  }
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

LisSimulator::~LisSimulator() = default;

void LisSimulator::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void LisSimulator::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    std::lock_guard lock(mutex_);
    for (auto& weak : connections_) {
      if (auto c = weak.lock()) {
        asio::post(c->socket.get_executor(), [c] {
          boost::system::error_code ignored_too;
          c->socket.close(ignored_too);
          c->delay.cancel();
        });
      }
    }
  });
}

asio::awaitable<void> LisSimulator::accept_loop() {
  for (;;) {
    asio::ip::tcp::socket socket(asio::make_strand(io_));
    auto [error] = co_await acceptor_.async_accept(socket, kAwait);
    if (error) {
      co_return;
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    auto connection = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mutex_);
      std::erase_if(connections_, [](const auto& w) { return w.expired(); });
      connections_.push_back(connection);
    }
    ledger_.count_connection();
    asio::co_spawn(connection->socket.get_executor(), serve(connection), asio::detached);
  }
}

asio::awaitable<void> LisSimulator::serve(std::shared_ptr<Connection> c) {
  if (options_.protocol == model::WireProtocol::Astm) {
    co_await serve_astm(c);
  } else {
    co_await serve_hl7(c);
  }
  boost::system::error_code ignored;
  c->socket.close(ignored);
}

asio::awaitable<void> LisSimulator::serve_hl7(std::shared_ptr<Connection> c) {
  Collected collected;
  hl7::MllpFramer framer({}, collected);
  std::string late;  // an acknowledgement withheld (--late-ack-every)
  for (;;) {
    auto [error, n] = co_await c->socket.async_read_some(asio::buffer(c->buffer), kAwait);
    if (error) {
      co_return;
    }
    framer.feed(ByteView(c->buffer.data(), n));
    auto messages = std::move(collected.messages);
    collected.messages.clear();
    for (const auto& payload : messages) {
      const auto m = ledger_.receive(payload);
      if (options_.delay.count() > 0) {
        c->delay.expires_after(options_.delay);
        co_await c->delay.async_wait(kAwait);
      }
      std::string reply;
      switch (m.answer) {
        case LisSimReply::Drop:
          co_return;
        case LisSimReply::Silent:
          continue;
        case LisSimReply::Late:
          late += hl7_ack(payload, m, hl7::AckCode::AA);
          continue;
        case LisSimReply::Nack:
          reply = hl7_ack(payload, m, hl7::AckCode::AE);
          break;
        case LisSimReply::Ack:
          reply = hl7_ack(payload, m, hl7::AckCode::AA);
          break;
      }
      reply = std::exchange(late, std::string()) + reply;
      auto [write_error, written] =
          co_await asio::async_write(c->socket, asio::buffer(reply), kAwait);
      if (write_error) {
        co_return;
      }
    }
  }
}

// ASTM: E1381 in the receiver's role. A message is answered by the ACK of its last frame; a
// refused, silent or late one gets none (LIS01-A2 has no other way to refuse a message), and the
// sender retransmits the frame until it gives up.
asio::awaitable<void> LisSimulator::serve_astm(std::shared_ptr<Connection> c) {
  // On the heap: a large coroutine frame trips GCC 12's mismatched-new-delete false positive.
  struct Receiver {
    Collected collected;
    astm::E1381Link link{receiver_options(), collected};
  };
  auto receiver = std::make_unique<Receiver>();
  auto& collected = receiver->collected;
  auto& link = receiver->link;
  for (;;) {
    auto [error, n] = co_await c->socket.async_read_some(asio::buffer(c->buffer), kAwait);
    if (error) {
      co_return;
    }
    link.feed(ByteView(c->buffer.data(), n));
    auto messages = std::move(collected.messages);
    collected.messages.clear();
    for (const auto& payload : messages) {
      const auto m = ledger_.receive(payload);
      if (options_.delay.count() > 0) {
        c->delay.expires_after(options_.delay);
        co_await c->delay.async_wait(kAwait);
      }
      if (m.answer == LisSimReply::Drop) {
        co_return;
      }
      if (m.answer == LisSimReply::Ack) {
        link.acknowledge_message();
      } else {
        link.refuse_message();
      }
    }
    if (!collected.to_write.empty()) {
      const auto out = std::exchange(collected.to_write, std::string());
      auto [write_error, written] =
          co_await asio::async_write(c->socket, asio::buffer(out), kAwait);
      if (write_error) {
        co_return;
      }
    }
  }
}

Result<LisSimTotals, std::string> run_lis_simulator(
    const LisSimOptions& options, std::optional<std::chrono::milliseconds> duration,
    const std::function<void(std::uint16_t)>& on_listening) {
  asio::io_context io;
  std::optional<LisSimulator> lis;
  try {
    lis.emplace(io, options);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer deadline(io);
  auto stop = [&] {
    lis->stop();
    boost::system::error_code ignored;
    signals.cancel(ignored);
    deadline.cancel();
  };
  signals.async_wait([&](boost::system::error_code error, int) {
    if (!error) {
      stop();
    }
  });
  if (duration) {
    deadline.expires_after(*duration);
    deadline.async_wait([&](boost::system::error_code error) {
      if (!error) {
        stop();
      }
    });
  }
  lis->start();
  on_listening(lis->port());
  io.run();
  return lis->ledger().totals();
}

}  // namespace hemalink::simulate
