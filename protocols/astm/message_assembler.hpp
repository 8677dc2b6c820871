#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "protocols/astm/lis2_records.hpp"
#include "protocols/common/parse_error.hpp"

namespace hemalink::astm {

/// Why a message ended. Only Terminated means the sender finished it with an L record; the
/// others are incomplete messages that are still reported (raw) rather than dropped.
enum class MessageEnd {
  Terminated,     ///< The L record arrived.
  NextHeader,     ///< A new H record started before an L record.
  EndOfTransfer,  ///< The sender's EOT (E1381 termination phase) came before an L record.
  Timeout,        ///< The receive timer expired.
  EndOfStream,    ///< The connection or file ended.
};

const char* to_string(MessageEnd end);

/// Receives what a MessageAssembler produces.
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  /// A message: its records, each terminated by CR (whatever terminator the sender used), and
  /// the stream position of its H record. The view is valid only during the call.
  virtual void on_message(std::string_view records, MessageEnd end, std::size_t stream_offset) = 0;
  /// Text that could not be part of a message (a record before any H record, a message over the
  /// limits). `raw` is valid only during the call.
  virtual void on_discarded(const ParseError& why, std::string_view raw) = 0;
};

/// Turns a stream of record text (reassembled E1381 frame text, or bare records read from a
/// socket) into messages: splits records on CR, LF or CR LF, skips empty records, and groups
/// them from an H record to the L record (LIS02-A2 6.1). One assembler serves one connection.
class MessageAssembler {
 public:
  MessageAssembler(const Lis2Limits& limits, bool skip_hash_comment_lines, MessageSink& sink)
      : limits_(limits), skip_hash_comment_lines_(skip_hash_comment_lines), sink_(sink) {}

  /// Consumes `text`; `stream_offset` is the byte position of text[0] in the connection, for
  /// error reports. Returns how many messages were completed (with an L record) by this text.
  std::size_t append(std::string_view text, std::size_t stream_offset);
  /// Ends a partial record, as the final frame of an E1381 transfer does (LIS01-A2: a record
  /// never continues past an ETX frame).
  void end_record(std::size_t stream_offset);
  /// Reports the partial message, if any, as ended by `why` (EOT, timeout, end of stream).
  void flush(MessageEnd why, std::size_t stream_offset);
  /// True while records of an unfinished message are held.
  bool has_partial_message() const { return !message_.empty() || !record_.empty(); }

 private:
  void complete_record(std::size_t stream_offset);
  void emit(MessageEnd end);

  Lis2Limits limits_;
  bool skip_hash_comment_lines_;
  MessageSink& sink_;
  std::string record_;
  std::string message_;
  std::size_t record_count_ = 0;
  std::size_t record_offset_ = 0;   // stream position of record_[0]
  std::size_t message_offset_ = 0;  // stream position of the H record
  std::size_t completed_ = 0;
  bool is_discarding_ = false;
};

}  // namespace hemalink::astm
