#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace hemalink::transport {

namespace asio = boost::asio;

/// Bytes for a stream (socket or serial port), written in the order given, one async_write at a
/// time: what comes while a write is under way waits and goes next. `done` runs on the stream's
/// executor when a write failed, or when all that was given has been written.
template <typename Stream>
class StreamWriter {
 public:
  using Done = std::function<void(const boost::system::error_code&)>;

  StreamWriter(Stream& stream, Done done) : stream_(stream), done_(std::move(done)) {}

  /// Queues `bytes` and starts writing unless a write is under way; `keep_alive` (the owner) is
  /// held until the write completes.
  void write(std::string_view bytes, const std::shared_ptr<void>& keep_alive) {
    outgoing_.append(bytes);
    if (!is_writing_) {
      start(keep_alive);
    }
  }

  bool is_writing() const { return is_writing_; }
  /// Bytes given and not yet being written.
  std::size_t waiting() const { return outgoing_.size(); }

 private:
  void start(const std::shared_ptr<void>& keep_alive) {
    is_writing_ = true;
    writing_.swap(outgoing_);
    outgoing_.clear();
    asio::async_write(stream_, asio::buffer(writing_),
                      [this, keep_alive](boost::system::error_code error, std::size_t) {
                        is_writing_ = false;
                        writing_.clear();
                        if (!error && !outgoing_.empty()) {
                          start(keep_alive);
                          return;
                        }
                        done_(error);
                      });
  }

  Stream& stream_;
  Done done_;
  std::string outgoing_;
  std::string writing_;
  bool is_writing_ = false;
};

}  // namespace hemalink::transport
