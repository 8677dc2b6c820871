#include "server/lis/lis_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "protocols/astm/e1381_link.hpp"
#include "protocols/common/visible_bytes.hpp"
#include "protocols/hl7/mllp.hpp"
#include "protocols/hl7/v2_message.hpp"
#include "server/lis/lis_link.hpp"
#include "server/transport/link_timers.hpp"
#include "server/transport/stream_writer.hpp"

namespace hemalink::lis {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// A LIS that stops reading while we write gets closed rather than buffered.
constexpr std::size_t kMaxUnwrittenBytes = 16 * 1024 * 1024;
constexpr auto kAfterDatabaseError = std::chrono::milliseconds(1000);

astm::LinkOptions astm_options(const LisDestination& d) {
  astm::LinkOptions o;
  o.mode = astm::LinkMode::E1381;
  o.establishment_timeout = d.ack_timeout;
  o.reply_timeout = d.ack_timeout;
  return o;
}

// MSA-1, and what the LIS said with it (MSA-3, ERR-8 or ERR-1).
struct Reply {
  std::string code;
  std::string text;
  std::string raw;
};

bool is_accepted(std::string_view code) {
  return code == "AA" || code == "CA";
}

}  // namespace

/// One connection to a LIS (a TCP socket or a serial port, whose executor must be a strand):
/// claims the destination's rows, sends each alone and waits for its acknowledgement (HL7: the
/// ACK whose MSA-2 names the message's control ID; ASTM: the E1381 ACK of its last frame), and
/// marks it delivered, or failed with its back-off. Replies that acknowledge nothing in flight
/// are logged with their raw bytes and ignored.
template <typename Stream>
class LisConnection final : public LisConnectionBase,
                            public std::enable_shared_from_this<LisConnection<Stream>>,
                            private hl7::MllpSink,
                            private astm::LinkSink {
 public:
  LisConnection(Stream stream, std::string peer, std::shared_ptr<LisLink> link,
                std::function<void()> on_closed)
      : stream_(std::move(stream)),
        peer_(std::move(peer)),
        link_(std::move(link)),
        destination_(link_->settings().destination),
        on_closed_(std::move(on_closed)),
        framer_(hl7::MllpLimits{}, mllp_sink()),
        wait_(stream_.get_executor()),
        claim_done_(stream_.get_executor()),
        link_timers_(stream_.get_executor()),
        writer_(stream_, [this](const boost::system::error_code& error) { written(error); }) {
    if (destination_.protocol == model::WireProtocol::Astm) {
      astm_ = std::make_unique<astm::E1381Link>(astm_options(destination_), link_sink());
    }
  }

  void start() {
    auto self = this->shared_from_this();
    asio::co_spawn(stream_.get_executor(), read_loop(self), asio::detached);
    asio::co_spawn(stream_.get_executor(), deliver_loop(self), asio::detached);
  }

  void wake() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->is_noticed_ = true;
      if (self->is_idle_) {
        self->wait_.cancel();
      }
    });
  }

  void close() override {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this()] { self->close_now("closed by the daemon"); });
  }

 private:
  using Self = std::shared_ptr<LisConnection>;
  enum class Kind { Acknowledged, Refused, TimedOut, Lost };
  struct Outcome {
    Kind kind = Kind::Lost;
    std::string detail;
    std::string reply;  // the acknowledgement, raw, when there is one to keep
  };

  const std::string& name() const { return destination_.name; }
  astm::LinkSink& link_sink() { return *this; }
  hl7::MllpSink& mllp_sink() { return *this; }

  asio::awaitable<void> read_loop(Self) {
    std::array<std::byte, 16 * 1024> buffer;
    while (!is_closed_) {
      auto [error, n] = co_await stream_.async_read_some(asio::buffer(buffer), kAwait);
      if (n > 0 && !is_closed_) {
        const ByteView bytes(buffer.data(), n);
        received_ += n;
        if (astm_) {
          astm_->feed(bytes);
        } else {
          // The framer names the first byte of a run outside any frame; the log shows the run.
          chunk_ = std::string_view(reinterpret_cast<const char*>(buffer.data()), n);
          chunk_start_ = received_ - n;
          framer_.feed(bytes);
          chunk_ = {};
        }
      }
      if (error) {
        close_now(error == asio::error::eof ? std::string("closed by the LIS")
                                            : fmt::format("read failed: {}", error.message()));
      }
    }
  }

  using Claimed = Result<std::vector<ClaimedRow>, store::StoreError>;

  // Claims, then sends each row claimed; while a batch is sent the next is claimed and built on
  // the link's claiming thread.
  asio::awaitable<void> deliver_loop(Self self) {
    bool database_failing = false;
    start_claim(self);
    while (!is_closed_) {
      auto claimed = co_await next_claim();
      if (is_closed_) {
        if (claimed) {
          co_await link_->release(std::move(*claimed));
        }
        break;
      }
      if (!claimed) {
        if (!database_failing) {
          spdlog::error("{}: {}; trying again", name(), claimed.error().detail);
        }
        database_failing = true;
        settle_mark();
        co_await idle(kAfterDatabaseError);
        start_claim(self);
        continue;
      }
      database_failing = false;
      if (claimed->empty() && is_claim_stale_) {
        // Claimed while rows were in flight: those rows may have held back later rows of
        // their specimens, which are due now.
        start_claim(self);
        continue;
      }
      if (claimed->empty()) {
        settle_mark();
        const auto wait = link_->until_next_due();
        if (!is_noticed_ && !is_closed_) {
          co_await idle(wait);
        }
        start_claim(self);
        continue;
      }
      start_claim(self);
      is_claim_stale_ = true;
      std::size_t i = 0;
      for (; i < claimed->size() && !is_closed_; ++i) {
        co_await attempt((*claimed)[i]);
      }
      if (i < claimed->size()) {
        co_await link_->release(
            std::vector(claimed->begin() + static_cast<long>(i), claimed->end()));
      }
    }
    settle_mark();
    // The claim started before the last batch may still run, or may have ended already with
    // rows in hand: either way they are let go, or they would stay claimed by this live node
    // and no connection would send them.
    if (is_claiming_ || claimed_) {
      if (auto rest = co_await next_claim()) {
        co_await link_->release(std::move(*rest));
      }
    }
  }

  // Starts the next claim in the background; a notification of new rows that comes after this
  // may not be seen by it, and so counts.
  void start_claim(Self self) {
    is_noticed_ = false;
    is_claim_stale_ = false;
    is_claiming_ = true;
    asio::co_spawn(
        stream_.get_executor(),
        [self]() -> asio::awaitable<void> {
          auto claimed = co_await self->link_->claim();
          self->claimed_.emplace(std::move(claimed));
          self->is_claiming_ = false;
          self->claim_done_.cancel();
        },
        asio::detached);
  }

  asio::awaitable<Claimed> next_claim() {
    while (is_claiming_) {
      claim_done_.expires_at(asio::steady_timer::time_point::max());
      co_await claim_done_.async_wait(kAwait);
    }
    auto claimed = std::move(*claimed_);
    claimed_.reset();
    co_return claimed;
  }

  asio::awaitable<void> idle(std::chrono::milliseconds wait) {
    is_idle_ = true;
    wait_.expires_after(wait);
    co_await wait_.async_wait(kAwait);
    is_idle_ = false;
  }

  asio::awaitable<void> attempt(const ClaimedRow& row) {
    const auto sent_at = std::chrono::system_clock::now();
    const auto started = Clock::now();
    const auto outcome = co_await exchange(row);
    auto& counters = link_->counters();
    if (outcome.kind == Kind::Acknowledged) {
      const auto took = Clock::now() - started;
      counters.delivered.fetch_add(1, std::memory_order_relaxed);
      counters.record_latency(took);
      const Delivery delivery{row.payload, outcome.reply, peer_, sent_at,
                              std::chrono::system_clock::now()};
      if (auto handed = link_->hand_delivered(row, delivery); !handed) {
        report_unmarked(handed.error());
      }
      if (const auto& settled = link_->settings().on_row_settled)
        settled(row, true);
      spdlog::info("{} {}: {} delivered (specimen {}, attempt {}) in {:.1f} ms", name(), peer_,
                   row.control_id, row.specimen_id, row.attempts + 1,
                   std::chrono::duration<double, std::milli>(took).count());
      co_return;
    }
    if (outcome.kind == Kind::Lost && link_->is_stopping()) {
      // Not the LIS's failure: sent again at the next start. (Named: GCC 12 miscompiles an
      // initializer list in a coroutine.)
      std::vector<ClaimedRow> rows(1, row);
      co_await link_->release(std::move(rows));
      co_return;
    }
    counters.failed_attempts.fetch_add(1, std::memory_order_relaxed);
    if (outcome.kind == Kind::TimedOut) {
      counters.timeouts.fetch_add(1, std::memory_order_relaxed);
    }
    count_failure(row, outcome.detail);
  }

  // An acknowledged row whose mark failed: it is sent again, with its control ID.
  void report_unmarked(const store::StoreError& error) {
    spdlog::error(
        "{} {}: acknowledged by the LIS but not marked sent ({}): it goes again, with "
        "the same control ID",
        name(), peer_, error.detail);
  }

  void settle_mark() {
    if (auto settled = link_->settle_delivered(); !settled) {
      report_unmarked(settled.error());
    }
  }

  void count_failure(const ClaimedRow& row, const std::string& why) {
    settle_mark();
    const int attempt = row.attempts + 1;
    const auto retry_after = link_->backoff_after(attempt);
    auto dead = link_->failed(row, {why, retry_after, destination_.max_attempts});
    if (!dead) {
      spdlog::error("{}: {} failed ({}) and cannot be counted: {}", name(), row.control_id, why,
                    dead.error().detail);
    } else if (*dead) {
      link_->counters().dead.fetch_add(1, std::memory_order_relaxed);
      if (const auto& settled = link_->settings().on_row_settled)
        settled(row, false);
      spdlog::error("{} {}: {} (specimen {}) is dead after {} attempts: {}", name(), peer_,
                    row.control_id, row.specimen_id, attempt, why);
    } else {
      spdlog::warn("{} {}: {} not delivered (attempt {} of {}): {}; again in {} ms", name(), peer_,
                   row.control_id, attempt, destination_.max_attempts, why, retry_after.count());
    }
  }

  asio::awaitable<Outcome> exchange(const ClaimedRow& row) {
    if (astm_) {
      co_return co_await exchange_astm(row);
    }
    co_return co_await exchange_hl7(row);
  }

  asio::awaitable<Outcome> exchange_hl7(const ClaimedRow& row) {
    in_flight_ = row.control_id;
    reply_.reset();
    std::string framed;
    hl7::mllp_wrap(row.payload, framed);
    write(framed);
    const auto deadline = Clock::now() + destination_.ack_timeout;
    while (!reply_ && !is_closed_ && Clock::now() < deadline) {
      wait_.expires_at(deadline);
      co_await wait_.async_wait(kAwait);
    }
    in_flight_.clear();
    if (reply_) {
      if (is_accepted(reply_->code)) {
        co_return Outcome{Kind::Acknowledged, "", std::move(reply_->raw)};
      }
      co_return Outcome{Kind::Refused,
                        fmt::format("the LIS answered {}{}{}", reply_->code,
                                    reply_->text.empty() ? "" : ": ", reply_->text),
                        ""};
    }
    if (is_closed_) {
      co_return Outcome{
          Kind::Lost, fmt::format("the connection closed before the ACK ({})", close_reason_), ""};
    }
    co_return Outcome{Kind::TimedOut,
                      fmt::format("no ACK within {} ms", destination_.ack_timeout.count()), ""};
  }

  asio::awaitable<Outcome> exchange_astm(const ClaimedRow& row) {
    sent_.reset();
    sending_ = astm_->send(row.payload);
    while (!sent_ && !is_closed_) {
      wait_.expires_at(asio::steady_timer::time_point::max());
      co_await wait_.async_wait(kAwait);  // the link's own timers bound the exchange
    }
    sending_ = 0;
    if (sent_ && !*sent_) {
      co_return Outcome{Kind::Acknowledged, "", ""};
    }
    if (sent_) {
      co_return Outcome{Kind::Refused, fmt::format("the link gave up: {}", sent_->message()), ""};
    }
    co_return Outcome{
        Kind::Lost,
        fmt::format("the connection closed before the last frame's ACK ({})", close_reason_), ""};
  }

  void ignore_reply(const std::string& why, std::string_view raw) {
    link_->counters().ignored_replies.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("{} {}: {}: ignored; the bytes were: {}", name(), peer_, why, visible_bytes(raw));
  }

  // MllpSink
  void on_message(std::string_view payload, std::size_t) override {
    auto parsed = hl7::V2Message::parse(std::string(payload));
    if (!parsed) {
      ignore_reply(fmt::format("a reply that is not HL7 ({})", parsed.error().describe()), payload);
      return;
    }
    const auto msa = parsed->find("MSA");
    if (!msa) {
      ignore_reply("a reply without MSA", payload);
      return;
    }
    const auto acknowledged = msa->field(2);
    if (in_flight_.empty() || acknowledged != in_flight_) {
      ignore_reply(fmt::format("an ACK for \"{}\" while {} is in flight", acknowledged,
                               in_flight_.empty() ? std::string("nothing") : in_flight_),
                   payload);
      return;
    }
    Reply reply{std::string(msa->field(1)), parsed->text_at(*hl7::V2Path::parse("MSA-3")),
                std::string(payload)};
    if (reply.text.empty() && parsed->find("ERR")) {
      reply.text = parsed->text_at(*hl7::V2Path::parse("ERR-8"));
    }
    reply_ = std::move(reply);
    wait_.cancel();
  }

  // MllpSink and LinkSink: bytes that frame nothing.
  void on_error(const ParseError& error, std::string_view raw) override {
    ignore_reply(fmt::format("bytes outside any frame ({})", error.describe()),
                 run_outside_frames(error.byte_offset, raw));
  }

  // From `offset` in the stream to the next start block, when it lies in the bytes being fed.
  std::string_view run_outside_frames(std::size_t offset, std::string_view raw) const {
    if (offset < chunk_start_ || offset >= chunk_start_ + chunk_.size()) {
      return raw;
    }
    const auto run = chunk_.substr(offset - chunk_start_);
    return run.substr(0, run.find(hl7::mllp::kStartBlock));
  }

  // LinkSink
  void on_write(std::string_view bytes) override { write(bytes); }

  void on_arm_timer(astm::LinkTimer timer, std::chrono::milliseconds after) override {
    link_timers_.arm(timer, after, this->weak_from_this(), [this](astm::LinkTimer expired) {
      if (!is_closed_) {
        astm_->on_timeout(expired);
      }
    });
  }

  void on_cancel_timer(astm::LinkTimer timer) override { link_timers_.cancel(timer); }

  void on_message(std::string_view records, astm::MessageEnd, std::size_t) override {
    ignore_reply("a message from the LIS (this link only sends results)", records);
  }

  void on_notice(astm::LinkNotice notice, std::size_t) override {
    spdlog::debug("{} {}: {}", name(), peer_, astm::to_string(notice));
  }

  void on_sent(std::uint64_t id, std::error_code result) override {
    if (id == sending_) {
      sent_ = result;
      wait_.cancel();
    }
  }

  void write(std::string_view bytes) {
    if (is_closed_) {
      return;
    }
    if (writer_.waiting() + bytes.size() > kMaxUnwrittenBytes) {
      close_now("the LIS does not read what we send");
      return;
    }
    writer_.write(bytes, this->shared_from_this());
  }

  void written(const boost::system::error_code& error) {
    if (error) {
      close_now(fmt::format("write failed: {}", error.message()));
    }
  }

  void close_now(const std::string& why) {
    if (is_closed_) {
      return;
    }
    is_closed_ = true;
    close_reason_ = why;
    boost::system::error_code ignored;
    stream_.lowest_layer().close(ignored);
    link_timers_.cancel_all();
    wait_.cancel();
    link_->detach(this);
    spdlog::info("{} {}: connection closed: {}", name(), peer_, why);
    if (on_closed_) {
      auto done = std::move(on_closed_);
      on_closed_ = nullptr;
      done();
    }
  }

  Stream stream_;
  std::string peer_;
  std::shared_ptr<LisLink> link_;
  const LisDestination& destination_;
  std::function<void()> on_closed_;
  hl7::MllpFramer framer_;
  std::unique_ptr<astm::E1381Link> astm_;
  asio::steady_timer wait_;
  asio::steady_timer claim_done_;
  std::optional<Claimed> claimed_;
  bool is_claiming_ = false;
  bool is_claim_stale_ = false;  // the claim in progress began before rows in flight finished
  transport::LinkTimers link_timers_;
  std::string in_flight_;
  std::optional<Reply> reply_;
  std::uint64_t sending_ = 0;
  std::optional<std::error_code> sent_;
  transport::StreamWriter<Stream> writer_;
  std::string close_reason_;
  std::string_view chunk_;       // the bytes being fed to the framer
  std::size_t chunk_start_ = 0;  // their offset in the stream
  std::size_t received_ = 0;
  bool is_closed_ = false;
  bool is_idle_ = false;
  bool is_noticed_ = false;
};

namespace {

template <typename Stream>
transport::OpenConnection<Stream> open_lis(std::weak_ptr<LisLink> weak) {
  return [weak](Stream stream, const std::string& peer, std::function<void()> on_closed) {
    auto link = weak.lock();
    if (!link) {
      return false;
    }
    auto connection =
        std::make_shared<LisConnection<Stream>>(std::move(stream), peer, link, on_closed);
    if (!link->attach(connection)) {
      spdlog::warn("{} {}: refused: the LIS is connected already", link->name(), peer);
      return false;
    }
    spdlog::info("{} {}: delivering", link->name(), peer);
    connection->start();
    return true;
  };
}

}  // namespace

transport::OpenConnection<asio::ip::tcp::socket> open_tcp_lis(std::weak_ptr<LisLink> link) {
  return open_lis<asio::ip::tcp::socket>(std::move(link));
}

transport::OpenConnection<transport::TlsStream> open_tls_lis(std::weak_ptr<LisLink> link) {
  return open_lis<transport::TlsStream>(std::move(link));
}

transport::OpenConnection<asio::serial_port> open_serial_lis(std::weak_ptr<LisLink> link) {
  return open_lis<asio::serial_port>(std::move(link));
}

}  // namespace hemalink::lis
