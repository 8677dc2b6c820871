#include "protocols/astm/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::astm {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::BadChecksum:
      return "frame checksum mismatch";
    case Errc::MalformedChecksum:
      return "checksum is not two hexadecimal digits";
    case Errc::BadFrameNumber:
      return "unexpected frame number";
    case Errc::MissingFrameNumber:
      return "frame does not start with a frame number 0-7";
    case Errc::MalformedFrame:
      return "malformed frame";
    case Errc::FrameTooLong:
      return "frame text exceeds the limit";
    case Errc::MessageTooLarge:
      return "message exceeds the size limit";
    case Errc::TooManyRecords:
      return "message exceeds the record limit";
    case Errc::RecordOutsideMessage:
      return "record outside a message (no H record before it)";
    case Errc::MalformedHeader:
      return "H record does not define the delimiters";
    case Errc::MalformedRecord:
      return "malformed record";
    case Errc::MissingTerminator:
      return "message ended without an L record";
    case Errc::RetryLimitReached:
      return "frame refused as often as the retry limit allows";
    case Errc::EstablishmentTimeout:
      return "no reply to ENQ";
    case Errc::PeerBusy:
      return "peer stayed busy (NAK to ENQ)";
    case Errc::ReplyTimeout:
      return "no reply to a frame";
    case Errc::ReceiveTimeout:
      return "receive timer expired";
    case Errc::QueueFull:
      return "outbound queue is full";
    case Errc::LinkClosed:
      return "link closed";
  }
  return "unknown astm error";
}

}  // namespace

const std::error_category& error_category() {
  static const ErrorCategory<Errc> category("astm", describe);
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hemalink::astm
