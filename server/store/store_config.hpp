#pragma once

#include <chrono>
#include <cstddef>

namespace hemalink::files {
class JsonFields;
}

namespace hemalink::store {

/// How the store writes ("store"): its writer threads, how many messages one transaction takes
/// and how long it waits for more.
struct StoreConfig {
  std::size_t writers = 2;
  std::size_t max_batch_messages = 256;
  std::chrono::microseconds max_batch_wait{0};
  /// How long a session waits for the commit before the message is spooled and acknowledged.
  std::chrono::milliseconds ack_budget{2000};
};

/// Reads the configuration's `store` object, when present, into `store`; errors go to `top`'s
/// list with their JSON paths.
void read_store_config(files::JsonFields& top, StoreConfig& store);

}  // namespace hemalink::store
