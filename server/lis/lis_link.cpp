#include "server/lis/lis_link.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <optional>

#include "server/lis/astm_result_message.hpp"
#include "server/lis/lis_connection.hpp"
#include "server/lis/oru_message.hpp"
#include "server/transport/serial_line.hpp"
#include "server/transport/tcp_dialer.hpp"
#include "server/transport/tcp_listener.hpp"
#include "server/transport/tls_context.hpp"
#include "server/transport/tls_handshake.hpp"

namespace hemalink::lis {
namespace {

BuildMessage message_builder(const LisLinkSettings& s) {
  return [destination = s.destination, mapping = s.mapping](const OutboxContent& content) {
    return destination.protocol == model::WireProtocol::Astm
               ? build_astm_results(content, destination, mapping)
               : build_oru(content, destination, mapping);
  };
}

std::string served(const LisDestination& d) {
  const auto* t = std::get_if<config::TcpServerTransport>(&d.transport);
  return fmt::format("LIS, {} {}{}", config::to_string(d.protocol),
                     d.protocol == model::WireProtocol::Astm ? "E1381" : "MLLP",
                     t && t->tls ? " over TLS" : "");
}

constexpr auto kStopGrace = std::chrono::seconds(3);

}  // namespace

LisLink::LisLink(LisLinkSettings settings)
    : settings_(std::move(settings)),
      build_(message_builder(settings_)),
      sender_(settings_.dsn, settings_.destination.name,
              config::to_string(settings_.destination.protocol), settings_.node),
      work_(io_.get_executor()) {}

LisLink::~LisLink() {
  stop();
  claiming_.join();
}

void LisLink::bind() {
  const auto& d = settings_.destination;
  std::weak_ptr<LisLink> self = shared_from_this();
  if (const auto* t = std::get_if<config::TcpServerTransport>(&d.transport)) {
    auto open =
        t->tls ? transport::through_tls(open_tls_lis(self), transport::server_tls_context(*t->tls),
                                        {asio::ssl::stream_base::server, d.ack_timeout, d.name, ""})
               : open_tcp_lis(self);
    listener_ = std::make_unique<transport::TcpListener>(
        io_, d.name, served(d), *t, *transport::PeerAllowList::parse(d.allowed_peers),
        d.tcp_keepalive, std::move(open));
  } else if (const auto* t = std::get_if<config::TcpClientTransport>(&d.transport)) {
    auto open =
        t->tls ? transport::through_tls(
                     open_tls_lis(self), transport::client_tls_context(*t->tls),
                     {asio::ssl::stream_base::client, d.ack_timeout, d.name, t->tls_server_name()})
               : open_tcp_lis(self);
    reaching_ =
        std::make_unique<transport::TcpDialer>(io_, d.name, *t, d.tcp_keepalive, std::move(open));
  } else if (const auto* t = std::get_if<config::SerialTransport>(&d.transport)) {
    reaching_ = std::make_unique<transport::SerialLine>(io_, d.name, *t, open_serial_lis(self));
  }
}

void LisLink::start() {
  if (listener_) {
    listener_->start();
  }
  if (reaching_) {
    reaching_->start();
  }
  ended_ = std::async(std::launch::async, [this] { io_.run(); });
}

void LisLink::stop() {
  std::shared_ptr<LisConnectionBase> connection;
  {
    std::lock_guard lock(mutex_);
    if (is_stopping_) {
      return;
    }
    is_stopping_ = true;
    connection = connection_.lock();
  }
  asio::post(io_, [this, connection] {
    if (listener_) {
      listener_->stop();
    }
    if (reaching_) {
      reaching_->stop();
    }
    if (connection) {
      connection->close();
    }
    work_.reset();
  });
  if (!ended_.valid()) {
    return;  // never started
  }
  // Closing takes a moment (a row let go, a claim answered); a dial to a host that does not
  // answer could take minutes, and is not waited for.
  if (ended_.wait_for(kStopGrace) != std::future_status::ready) {
    io_.stop();
  }
  ended_.wait();
}

void LisLink::notice_rows() {
  std::shared_ptr<LisConnectionBase> connection;
  {
    std::lock_guard lock(mutex_);
    connection = connection_.lock();
  }
  if (connection) {
    connection->wake();
  }
}

std::uint16_t LisLink::port() const {
  return listener_ ? listener_->port() : 0;
}

bool LisLink::is_connected() {
  std::lock_guard lock(mutex_);
  return !connection_.expired();
}

bool LisLink::attach(const std::shared_ptr<LisConnectionBase>& connection) {
  std::lock_guard lock(mutex_);
  if (is_stopping_ || connection_.lock()) {
    return false;
  }
  connection_ = connection;
  counters_.connections.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void LisLink::detach(const LisConnectionBase* connection) {
  std::lock_guard lock(mutex_);
  if (connection_.lock().get() == connection) {
    connection_.reset();
  }
}

// Runs `work` on the claiming thread and resumes the awaiting coroutine on its own executor.
template <typename T, typename Work>
asio::awaitable<T> LisLink::on_claiming_thread(Work work) {
  std::optional<T> out;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this, &out, &work](auto handler) {
        asio::post(claiming_, [&out, &work, handler = std::move(handler)]() mutable {
          out.emplace(work());
          auto executor = asio::get_associated_executor(handler);
          asio::dispatch(executor, std::move(handler));
        });
      },
      asio::use_awaitable);
  co_return std::move(*out);
}

asio::awaitable<Result<std::vector<ClaimedRow>, store::StoreError>> LisLink::claim() {
  using R = Result<std::vector<ClaimedRow>, store::StoreError>;
  co_return co_await on_claiming_thread<R>(
      [this] { return sender_.claim(settings_.claim_batch, build_); });
}

asio::awaitable<void> LisLink::release(std::vector<ClaimedRow> rows) {
  co_await on_claiming_thread<bool>([&] {
    sender_.release(rows);
    return true;
  });
}

Result<void, store::StoreError> LisLink::hand_delivered(const ClaimedRow& row,
                                                        const Delivery& delivery) {
  return sender_.hand_delivered(row, delivery);
}

Result<void, store::StoreError> LisLink::settle_delivered() {
  return sender_.settle_delivered();
}

Result<bool, store::StoreError> LisLink::failed(const ClaimedRow& row, const FailedAttempt& why) {
  return sender_.failed(row, why);
}

std::chrono::milliseconds LisLink::until_next_due() {
  return sender_.until_next_due(settings_.poll);
}

std::chrono::milliseconds LisLink::backoff_after(int attempts) const {
  const auto& d = settings_.destination;
  auto wait = d.backoff_min;
  for (int i = 1; i < attempts && wait < d.backoff_max; ++i) {
    wait *= 2;
  }
  return std::min(wait, d.backoff_max);
}

}  // namespace hemalink::lis
