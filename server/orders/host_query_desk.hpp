#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.hpp"
#include "protocols/astm/lis2_records.hpp"
#include "server/ingest/current_message_reader.hpp"
#include "server/orders/order_book.hpp"
#include "server/orders/order_marks.hpp"
#include "server/orders/worker_threads.hpp"

namespace hemalink::orders {

/// What is pending on one specimen (the order book's answer, or a test's).
using PendingLookup = std::function<Result<std::vector<records::PendingOrder>, store::StoreError>(
    std::string_view specimen_id)>;

/// The reply to one host query and the order tests it sends.
struct HostAnswer {
  std::string records;              ///< LIS02-A2 records or the HL7 RSP^K11, no framing.
  std::string follow_up;            ///< HL7: the OML^O33 with the work (LAB-28), when any.
  std::vector<long long> test_ids;  ///< The order tests it sends the analyzer.
  std::size_t specimens = 0;        ///< Specimens asked about.
  std::size_t with_work = 0;        ///< Of them, those sent tests.
};

/// Answers one host query in the analyzer's terms: for each specimen it names, the pending tests
/// its mapping table can order (in its codes, by the driver's layout); the tests it cannot run
/// are left for another analyzer. A query that cannot be read is answered L-3 `Q` (error in the
/// last request), one whose orders cannot be read now L-3 `E` (never "no order": the analyzer
/// would skip a specimen that has one), a cancellation (Q-13 `A`) with a header and terminator.
/// One that names only tubes without a barcode (cobas `@nnn`) names no specimen: L-3 `I`.
HostAnswer answer_host_query(const drivers::Driver& driver, std::string_view records,
                             const astm::Lis2Leniency& leniency, const PendingLookup& lookup,
                             std::chrono::system_clock::time_point now);

/// A fresh MSH-10 for what hemalink sends analyzers: 20 characters (48 bits of time, then random
/// bits) that fit every HL7 version's ST.
std::string new_control_id();

/// Answers one IHE LAW LAB-27 query (QBP^Q11) the same way: RSP^K11 (QAK OK with work, NF
/// without), then the work as an OML^O33 (LAB-28) in the analyzer's codes. A query that cannot
/// be read is answered with an ACK AE naming why.
HostAnswer answer_law_query(const drivers::Driver& driver, std::string_view message,
                            const PendingLookup& lookup, std::chrono::system_clock::time_point now);

/// Answers analyzers' host queries on threads of its own, from the order book, and marks the
/// tests it sent as sent to that analyzer (by `marks`, off the reply's path). The queries that
/// wait together (50 analyzers reading tubes at once) are answered together: one read of the
/// pending orders of all their specimens.
class HostQueryDesk {
 public:
  HostQueryDesk(std::string dsn, std::shared_ptr<ingest::CurrentMessageReader> reader,
                OrderMarks& marks, std::size_t threads = 4);

  /// Answers `records` from `analyzer` on one of the desk's threads; `done` gets the answer
  /// there. False when the desk is full or stopping (the caller answers for itself).
  bool ask(std::string analyzer, std::string records, std::function<void(HostAnswer)> done);
  void stop() { threads_.stop(); }

 private:
  struct Asked {
    std::string analyzer;
    std::string records;
    std::function<void(HostAnswer)> done;
  };

  void answer_waiting();
  HostAnswer answer(const std::string& analyzer, const std::string& records,
                    const PendingLookup& lookup);

  std::string dsn_;
  std::shared_ptr<ingest::CurrentMessageReader> reader_;
  OrderMarks& marks_;
  std::mutex mutex_;
  std::vector<Asked> waiting_;
  WorkerThreads threads_;
};

}  // namespace hemalink::orders
