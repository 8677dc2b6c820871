#include "server/store/store_config.hpp"

#include <nlohmann/json.hpp>

#include "server/files/json_fields.hpp"

namespace hemalink::store {

void read_store_config(files::JsonFields& top, StoreConfig& store) {
  const nlohmann::json* node = top.object("store");
  if (node == nullptr) {
    return;
  }
  files::JsonFields f(*node, top.path_of("store"), top.errors());
  f.integer("writers", store.writers, 1, 32);
  f.integer("max_batch_messages", store.max_batch_messages, 1, 10000);
  f.duration("max_batch_wait_us", store.max_batch_wait, 0, 100000);
  f.duration("ack_budget_ms", store.ack_budget, 100, 10000);
}

}  // namespace hemalink::store
