#pragma once

#include <system_error>

namespace hemalink::astm {

/// Errors of the ASTM codecs (CLSI LIS01-A2 / ASTM E1381 link layer and LIS02-A2 / ASTM E1394
/// records). All are caused by the peer or its bytes, never by a bug: they are values, not
/// exceptions.
enum class Errc {
  /// A frame's checksum did not match its bytes (LIS01-A2 6.3.4). The frame was NAKed; the sender
  /// retransmits it, so the stream recovers.
  BadChecksum = 1,
  /// The checksum characters were not two hexadecimal digits. NAKed; recovers on retransmission.
  MalformedChecksum,
  /// A frame number was neither the expected one nor a repeat of the last (LIS01-A2 6.3.3). NAKed.
  BadFrameNumber,
  /// A frame did not start with a frame number digit 0-7. NAKed.
  MissingFrameNumber,
  /// The bytes after the checksum were not CR LF, or a frame was cut by STX. NAKed.
  MalformedFrame,
  /// A frame's text exceeded the configured maximum. NAKed; the sender's retries fail alike, so
  /// the analyzer gives up on the message.
  FrameTooLong,
  /// A message exceeded the configured maximum size; its bytes up to there are reported and the
  /// rest is discarded until the next header record.
  MessageTooLarge,
  /// A message exceeded the configured maximum number of records.
  TooManyRecords,
  /// A record arrived outside a message (before any H record). It is reported raw and dropped.
  RecordOutsideMessage,
  /// The H record does not define the field, repeat, component and escape delimiters.
  MalformedHeader,
  /// A record is not "<record type letter><field delimiter>..." (LIS02-A2 6.3).
  MalformedRecord,
  /// A message ended (EOT, timeout, end of stream, next H) before its L record.
  MissingTerminator,
  /// We were sending: the peer NAKed one frame as often as the retry limit allows. EOT was sent.
  RetryLimitReached,
  /// We were sending: no reply to ENQ within the establishment timer. EOT was sent.
  EstablishmentTimeout,
  /// We were sending: the peer answered ENQ with NAK (busy) as often as the limit allows.
  PeerBusy,
  /// We were sending: no reply to a frame within the frame timer. EOT was sent.
  ReplyTimeout,
  /// We were receiving: nothing came within the receive timer; the partial message is reported.
  ReceiveTimeout,
  /// The outbound queue is full; the message was not queued.
  QueueFull,
  /// The link was closed before the message could be sent.
  LinkClosed,
};

const std::error_category& error_category();
std::error_code make_error_code(Errc e);

}  // namespace hemalink::astm

template <>
struct std::is_error_code_enum<hemalink::astm::Errc> : std::true_type {};
