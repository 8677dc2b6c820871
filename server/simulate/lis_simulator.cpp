#include "server/simulate/lis_simulator.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/stream.hpp>
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
#include "server/transport/tls_context.hpp"

namespace hemalink::simulate {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr auto kHandshakeDeadline = std::chrono::seconds(10);

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
  asio::steady_timer delay;  // before a reply; first, the TLS handshake's deadline
  std::array<std::byte, 16 * 1024> buffer;
};

LisSimulator::LisSimulator(asio::io_context& io, LisSimOptions options)
    : io_(io),
      options_(std::move(options)),
      ledger_(options_.faults, options_.protocol, options_.record_file),
      tls_(options_.tls ? transport::server_tls_context(*options_.tls) : nullptr),
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

// One connection's protocol: fed bytes, it gathers the messages they complete; it answers each
// as lis-sim decided (false: drop the connection); what it has to write is taken after.
class LisSimulator::Protocol {
 public:
  virtual ~Protocol() = default;
  virtual void feed(ByteView bytes) = 0;
  virtual std::vector<std::string> take_messages() = 0;
  virtual bool answer(const LisSimMessage& m, std::string_view payload) = 0;
  virtual std::string take_output() = 0;
};

namespace {

class Hl7Protocol final : public LisSimulator::Protocol {
 public:
  void feed(ByteView bytes) override { framer_.feed(bytes); }
  std::vector<std::string> take_messages() override {
    return std::exchange(collected_.messages, {});
  }
  bool answer(const LisSimMessage& m, std::string_view payload) override {
    switch (m.answer) {
      case LisSimReply::Drop:
        return false;
      case LisSimReply::Silent:
        break;
      case LisSimReply::Late:
        late_ += hl7_ack(payload, m, hl7::AckCode::AA);
        break;
      case LisSimReply::Nack:
      case LisSimReply::Ack:
        // A withheld acknowledgement goes just before the next one.
        output_ += std::exchange(late_, std::string());
        output_ +=
            hl7_ack(payload, m, m.answer == LisSimReply::Ack ? hl7::AckCode::AA : hl7::AckCode::AE);
        break;
    }
    return true;
  }
  std::string take_output() override { return std::exchange(output_, {}); }

 private:
  Collected collected_;
  hl7::MllpFramer framer_{{}, collected_};
  std::string late_;
  std::string output_;
};

// E1381 in the receiver's role. A message is answered by the ACK of its last frame; a refused,
// silent or late one gets none (LIS01-A2 has no other way to refuse a message), and the sender
// retransmits the frame until it gives up.
class AstmProtocol final : public LisSimulator::Protocol {
 public:
  void feed(ByteView bytes) override { link_.feed(bytes); }
  std::vector<std::string> take_messages() override {
    return std::exchange(collected_.messages, {});
  }
  bool answer(const LisSimMessage& m, std::string_view) override {
    if (m.answer == LisSimReply::Drop) {
      return false;
    }
    if (m.answer == LisSimReply::Ack) {
      link_.acknowledge_message();
    } else {
      link_.refuse_message();
    }
    return true;
  }
  std::string take_output() override { return std::exchange(collected_.to_write, {}); }

 private:
  Collected collected_;
  astm::E1381Link link_{receiver_options(), collected_};
};

}  // namespace

asio::awaitable<void> LisSimulator::serve(std::shared_ptr<Connection> c) {
  // On the heap, not in the coroutine frame (a large frame trips a GCC 12 false positive).
  std::unique_ptr<Protocol> protocol;
  if (options_.protocol == model::WireProtocol::Astm) {
    protocol = std::make_unique<AstmProtocol>();
  } else {
    protocol = std::make_unique<Hl7Protocol>();
  }
  if (tls_) {
    asio::ssl::stream<asio::ip::tcp::socket&> tls(c->socket, *tls_);
    c->delay.expires_after(kHandshakeDeadline);
    c->delay.async_wait([c](boost::system::error_code e) {
      boost::system::error_code ignored;
      if (!e)
        c->socket.close(ignored);
    });
    auto [error] = co_await tls.async_handshake(asio::ssl::stream_base::server, kAwait);
    c->delay.cancel();
    if (!error)
      co_await answer_each(c, tls, *protocol);
  } else {
    co_await answer_each(c, c->socket, *protocol);
  }
  boost::system::error_code ignored;
  c->socket.close(ignored);
}

template <typename Stream>
asio::awaitable<void> LisSimulator::answer_each(std::shared_ptr<Connection> c, Stream& stream,
                                                Protocol& protocol) {
  for (;;) {
    auto [error, n] = co_await stream.async_read_some(asio::buffer(c->buffer), kAwait);
    if (error) {
      co_return;
    }
    protocol.feed(ByteView(c->buffer.data(), n));
    for (const auto& payload : protocol.take_messages()) {
      const auto m = ledger_.receive(payload);
      if (options_.delay.count() > 0) {
        c->delay.expires_after(options_.delay);
        co_await c->delay.async_wait(kAwait);
      }
      if (!protocol.answer(m, payload)) {
        co_return;
      }
    }
    if (const auto out = protocol.take_output(); !out.empty()) {
      auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(out), kAwait);
      if (write_error) {
        co_return;
      }
    }
  }
}

LisSimTotals run_lis_simulator(const LisSimOptions& options,
                               std::optional<std::chrono::milliseconds> duration,
                               const std::function<void(std::uint16_t)>& on_listening) {
  asio::io_context io;
  LisSimulator lis(io, options);
  asio::signal_set signals(io, SIGTERM, SIGINT);
  asio::steady_timer deadline(io);
  auto stop = [&] {
    lis.stop();
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
  lis.start();
  on_listening(lis.port());
  io.run();
  return lis.ledger().totals();
}

}  // namespace hemalink::simulate
