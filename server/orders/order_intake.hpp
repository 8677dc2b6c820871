#pragma once

#include <functional>
#include <string>

#include "protocols/common/charset.hpp"
#include "server/config/lis_mapping.hpp"
#include "server/orders/order_book.hpp"
#include "server/orders/worker_threads.hpp"
#include "server/store/message_sink.hpp"

namespace hemalink::orders {

struct OrderIntakeSettings {
  std::string dsn;
  std::string source;  ///< The LIS destination's name.
  config::LisMapping mapping;
  Charset charset = Charset::Utf8;  ///< Of ASTM orders.
  /// Messages waiting at once; beyond it submit() refuses and the LIS is answered AR (ASTM: its
  /// last frame is not acknowledged) and sends again.
  std::size_t max_queued = 1000;
  /// Told, on the intake's thread, of every message stored with what it changed.
  std::function<void(const records::OrderReceipt&, const records::OrderChanges&)> on_stored;
};

/// Where a LIS's order feed hands its messages: one thread reads each (orders, mapped tests) and
/// stores it in one transaction, in arrival order, before the connection acknowledges it. A
/// message that does not read as orders is kept raw as rejected (the LIS is answered AE with the
/// reason); one the database could not take is not acknowledged (AR), so the LIS sends it again.
class OrderIntake final : public store::MessageSink {
 public:
  explicit OrderIntake(OrderIntakeSettings settings);
  ~OrderIntake() override;
  OrderIntake(const OrderIntake&) = delete;
  OrderIntake& operator=(const OrderIntake&) = delete;

  Result<void, store::StoreError> submit(store::StoreRequest request,
                                         store::CompletionHandler done) override;
  /// Stores what is queued, then ends the thread.
  void stop() { thread_.stop(); }

 private:
  store::Completion take(const store::StoreRequest& request);

  OrderIntakeSettings settings_;
  WorkerThreads thread_;
};

}  // namespace hemalink::orders
