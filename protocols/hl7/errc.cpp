#include "protocols/hl7/errc.hpp"

#include "protocols/common/error_category.hpp"

namespace hemalink::hl7 {
namespace {

const char* describe(Errc e) {
  switch (e) {
    case Errc::MissingHeader:
      return "message does not start with MSH";
    case Errc::MalformedHeader:
      return "MSH does not define the delimiters";
    case Errc::MalformedSegment:
      return "malformed segment";
    case Errc::MessageTooLarge:
      return "message exceeds the size limit";
    case Errc::TooManySegments:
      return "message exceeds the segment limit";
    case Errc::BadPath:
      return "malformed HL7 path";
    case Errc::ByteOutsideFrame:
      return "bytes outside an MLLP frame";
    case Errc::UnexpectedStartBlock:
      return "MLLP start block inside a frame";
    case Errc::OversizeFrame:
      return "MLLP frame exceeds the size limit";
    case Errc::TruncatedFrame:
      return "stream ended inside an MLLP frame";
  }
  return "unknown hl7 error";
}

}  // namespace

const std::error_category& error_category() {
  static const ErrorCategory<Errc> category("hl7", describe);
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace hemalink::hl7
