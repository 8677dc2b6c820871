#include "server/transport/reconnecting_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hemalink::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

}  // namespace

ReconnectingTransport::ReconnectingTransport(asio::io_context& io, std::string name)
    : io_(io), name_(std::move(name)), strand_(asio::make_strand(io)), wait_(strand_) {}

void ReconnectingTransport::start() {
  asio::co_spawn(strand_, run(), asio::detached);
}

void ReconnectingTransport::stop() {
  asio::post(strand_, [this] {
    is_stopped_ = true;
    wait_.cancel();
  });
}

asio::awaitable<void> ReconnectingTransport::pause(std::chrono::milliseconds delay) {
  if (is_stopped_) {
    co_return;
  }
  wait_.expires_after(delay);
  co_await wait_.async_wait(kAwait);
}

std::function<void()> ReconnectingTransport::on_closed() {
  return [this] { asio::post(strand_, [this] { wait_.cancel(); }); };
}

asio::awaitable<void> ReconnectingTransport::wait_until_closed() {
  co_await wait_.async_wait(kAwait);
}

}  // namespace hemalink::transport
