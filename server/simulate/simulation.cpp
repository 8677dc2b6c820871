#include "server/simulate/simulation.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>

#include "server/simulate/downloaded_work.hpp"
#include "server/transport/link_timers.hpp"
#include "server/transport/stream_writer.hpp"

namespace hemalink::simulate {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Everything the connections of one run share (one thread: no locks).
struct Run {
  const SimulationPlan& plan;
  SimulationReport& report;
  std::vector<std::string> messages;  ///< The plan's, then results for downloaded work.
  std::vector<Clock::time_point> last_byte;
  Clock::time_point start = Clock::now();
  asio::steady_timer* deadline = nullptr;
  std::size_t running = 0;
  bool all_launched = false;
  bool is_over = false;

  bool awaits_downloads() const { return report.downloaded < plan.downloads; }

  // Results for the host's work become messages of the run; their indexes.
  std::vector<std::size_t> add_results_for(std::string_view work) {
    std::vector<std::size_t> added;
    for (auto& m : results_for_work(work, plan.analyzer.protocol, messages.size())) {
      added.push_back(messages.size());
      messages.push_back(std::move(m));
      report.results.emplace_back();
      last_byte.push_back(Clock::now());
    }
    report.downloaded += added.size();
    return added;
  }

  // Once every line has ended, nothing but the deadline keeps the run going.
  void maybe_finish() {
    if (all_launched && running == 0 && deadline != nullptr) {
      deadline->cancel();
    }
  }
};

// One analyzer connection: the stream, the sans-I/O analyzer, its timers and its messages.
template <typename Stream>
class Line final : public SimulatedAnalyzer::Io, public std::enable_shared_from_this<Line<Stream>> {
 public:
  Line(Stream stream, Run& run, std::vector<std::size_t> messages)
      : stream_(std::move(stream)),
        run_(run),
        messages_(std::move(messages)),
        analyzer_(run.plan.analyzer, *this),
        timers_(stream_.get_executor()),
        event_(stream_.get_executor()),
        writer_(stream_, [this](const boost::system::error_code& error) { written(error); }) {}

  asio::awaitable<void> run(std::shared_ptr<Line> self) {
    asio::co_spawn(stream_.get_executor(), read_loop(self), asio::detached);
    const auto& plan = run_.plan;
    for (std::size_t j = 0; is_open_ && !run_.is_over; ++j) {
      while (j == messages_.size() && run_.awaits_downloads() && is_open_ && !run_.is_over) {
        co_await wait_for_event();  // download mode: the host's work becomes messages
      }
      if (j == messages_.size()) {
        break;
      }
      // Message i of the plan is due at i / rate: the connections take turns, evenly spaced,
      // rather than all sending at the same instants.
      const auto due =
          run_.start +
          std::chrono::microseconds(static_cast<std::int64_t>(
              plan.rate > 0 ? 1e6 * static_cast<double>(messages_[j]) / plan.rate : 0));
      while (Clock::now() < due && is_open_ && !run_.is_over) {
        event_.expires_at(due);
        co_await event_.async_wait(kAwait);  // other events end a wait early
      }
      is_answered_ = false;
      analyzer_.send(messages_[j], run_.messages[messages_[j]]);
      while (!is_answered_ && is_open_ && !run_.is_over) {
        co_await wait_for_event();
      }
    }
    // An E1381 transfer still ending, a host reply coming in, bytes not yet written.
    while ((!analyzer_.is_idle() || writer_.is_writing()) && is_open_ && !run_.is_over) {
      co_await wait_for_event();
    }
    const auto held_until = Clock::now() + plan.hold;
    while (Clock::now() < held_until && is_open_ && !run_.is_over) {
      event_.expires_at(held_until);
      co_await event_.async_wait(kAwait);  // other events (a host message) end a wait early
    }
    add_counts();
    close();
    --run_.running;
    run_.maybe_finish();
  }

  void close() {
    is_open_ = false;
    boost::system::error_code ignored;
    stream_.close(ignored);
    timers_.cancel_all();
    event_.cancel();
  }

 private:
  asio::awaitable<void> wait_for_event() {
    event_.expires_at(Clock::time_point::max());
    co_await event_.async_wait(kAwait);
  }

  asio::awaitable<void> read_loop(std::shared_ptr<Line>) {
    std::array<std::byte, 8192> buffer;
    while (is_open_) {
      auto [error, n] = co_await stream_.async_read_some(asio::buffer(buffer), kAwait);
      if (n > 0) {
        analyzer_.feed(ByteView(buffer.data(), n));
        event_.cancel();  // what came in may have ended a transfer: the waiter looks again
      }
      if (error) {
        if (is_open_ && !run_.is_over) {
          run_.report.errors.push_back(fmt::format("connection lost: {}", error.message()));
        }
        is_open_ = false;
        event_.cancel();
        break;
      }
    }
  }

  void write(std::string_view bytes) override { writer_.write(bytes, this->shared_from_this()); }

  void written(const boost::system::error_code& error) {
    if (error) {
      is_open_ = false;
    }
    event_.cancel();
  }

  void arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) override {
    timers_.arm(timer, after, this->weak_from_this(), [this](astm::LinkTimer expired) {
      if (is_open_) {
        analyzer_.on_timeout(expired);
        event_.cancel();
      }
    });
  }

  void cancel_timer(astm::LinkTimer timer) override { timers_.cancel(timer); }

  void on_last_byte(std::size_t message) override { run_.last_byte[message] = Clock::now(); }

  void on_host_message(std::string_view message) override {
    if (run_.plan.downloads == 0) {
      return;
    }
    for (auto index : run_.add_results_for(message)) {
      messages_.push_back(index);
    }
    event_.cancel();
  }

  void on_answer(std::size_t message, Answer answer, std::string_view detail) override {
    auto& r = run_.report.results[message];
    r.answer = answer;
    r.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                      run_.last_byte[message]);
    r.detail = std::string(detail);
    is_answered_ = true;
    event_.cancel();
  }

  void add_counts() {
    const auto& c = analyzer_.counts();
    auto& total = run_.report.counts;
    total.frames_sent_again += c.frames_sent_again;
    total.corrupted += c.corrupted;
    total.resends += c.resends;
    total.host_messages += c.host_messages;
    total.unexpected += c.unexpected;
    const auto& replies = analyzer_.host_replies();
    run_.report.host_replies.insert(run_.report.host_replies.end(), replies.begin(), replies.end());
  }

  Stream stream_;
  Run& run_;
  std::vector<std::size_t> messages_;
  SimulatedAnalyzer analyzer_;
  transport::LinkTimers timers_;
  asio::steady_timer event_;
  transport::StreamWriter<Stream> writer_;
  bool is_open_ = true;
  bool is_answered_ = false;
};

std::vector<std::vector<std::size_t>> share_out(std::size_t messages, std::size_t connections,
                                                std::size_t group) {
  std::vector<std::vector<std::size_t>> shares(connections);
  for (std::size_t i = 0; i < messages; ++i) {
    shares[(i / group) % connections].push_back(i);
  }
  return shares;
}

template <typename Stream>
void launch(asio::io_context& io, Stream stream, Run& run, std::vector<std::size_t> share,
            std::vector<std::function<void()>>& closers) {
  ++run.report.connected;
  ++run.running;
  auto line = std::make_shared<Line<Stream>>(std::move(stream), run, std::move(share));
  closers.push_back([weak = std::weak_ptr<Line<Stream>>(line)] {
    if (auto l = weak.lock())
      l->close();
  });
  asio::co_spawn(io, line->run(line), asio::detached);
}

asio::awaitable<void> connect_all(asio::io_context& io, Run& run,
                                  std::vector<std::vector<std::size_t>> shares,
                                  std::vector<std::function<void()>>& closers) {
  const auto& targets = run.plan.targets;
  asio::ip::tcp::resolver resolver(io);
  for (std::size_t k = 0; k < shares.size() && !targets.empty(); ++k) {
    const auto& [host, port] = targets[k % targets.size()];
    auto [error, endpoints] = co_await resolver.async_resolve(host, std::to_string(port), kAwait);
    asio::ip::tcp::socket socket(io);
    if (!error) {
      auto [connect_error, endpoint] = co_await asio::async_connect(socket, endpoints, kAwait);
      error = connect_error;
    }
    if (error) {
      run.report.errors.push_back(
          fmt::format("cannot connect to {}:{}: {}", host, port, error.message()));
      continue;
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    launch(io, std::move(socket), run, std::move(shares[k]), closers);
  }
  run.all_launched = true;
  run.maybe_finish();
}

asio::awaitable<void> accept_all(asio::io_context& io, Run& run,
                                 std::vector<std::vector<std::size_t>> shares,
                                 std::vector<std::function<void()>>& closers) {
  const auto& [host, port] = run.plan.targets.front();
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address(host), port},
                                   /*reuse_address=*/true);
  for (auto& share : shares) {
    auto [error, socket] = co_await acceptor.async_accept(kAwait);
    if (error) {
      run.report.errors.push_back(fmt::format("accept failed: {}", error.message()));
      break;
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    launch(io, std::move(socket), run, std::move(share), closers);
  }
  run.all_launched = true;
  run.maybe_finish();
}

void open_serial(asio::io_context& io, Run& run, std::vector<std::size_t> share,
                 std::vector<std::function<void()>>& closers) {
  asio::serial_port port(io);
  boost::system::error_code error;
  port.open(run.plan.device, error);
  if (!error)
    port.set_option(asio::serial_port::baud_rate(run.plan.baud), error);
  if (error) {
    run.report.errors.push_back(
        fmt::format("cannot open {}: {}", run.plan.device, error.message()));
  } else {
    launch(io, std::move(port), run, std::move(share), closers);
  }
  run.all_launched = true;
  run.maybe_finish();
}

}  // namespace

SimulationReport run_simulation(const SimulationPlan& plan) {
  SimulationReport report;
  report.results.resize(plan.messages.size());
  Run run{plan, report, plan.messages,
          std::vector<Clock::time_point>(plan.messages.size(), Clock::now())};
  asio::io_context io(1);
  asio::steady_timer deadline(io, plan.timeout);
  run.deadline = &deadline;
  std::vector<std::function<void()>> closers;
  deadline.async_wait([&](boost::system::error_code error) {
    if (error)
      return;  // every line ended first
    run.is_over = true;
    report.errors.push_back(
        fmt::format("gave up after {} ms: the run's --timeout", plan.timeout.count()));
    for (auto& close : closers)
      close();
    io.stop();
  });
  auto shares = share_out(plan.messages.size(), std::max<std::size_t>(1, plan.connections),
                          std::max<std::size_t>(1, plan.group));
  switch (plan.endpoint) {
    case Endpoint::Connect:
      asio::co_spawn(io, connect_all(io, run, std::move(shares), closers), asio::detached);
      break;
    case Endpoint::Listen:
      asio::co_spawn(io, accept_all(io, run, std::move(shares), closers), asio::detached);
      break;
    case Endpoint::Serial:
      open_serial(io, run, std::move(shares.front()), closers);
      break;
  }
  io.run();
  report.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - run.start);
  return report;
}

}  // namespace hemalink::simulate
