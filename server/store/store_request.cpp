#include "server/store/store_request.hpp"

namespace hemalink::store {

using records::MessageContent;
using records::Receipt;

ReceiptReader read_each(std::function<MessageContent(const Receipt&)> read) {
  return [read = std::move(read)](std::span<const Receipt* const> receipts) {
    std::vector<MessageContent> contents;
    contents.reserve(receipts.size());
    for (const auto* receipt : receipts) {
      contents.push_back(read(*receipt));
    }
    return contents;
  };
}

const char* to_string(StoreOutcome outcome) {
  switch (outcome) {
    case StoreOutcome::Stored:
      return "stored";
    case StoreOutcome::AlreadyStored:
      return "already stored";
    case StoreOutcome::Duplicate:
      return "duplicate";
    case StoreOutcome::Spooled:
      return "spooled";
    case StoreOutcome::Failed:
      return "failed";
  }
  return "failed";
}

}  // namespace hemalink::store
