#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/ingest/current_message_reader.hpp"
#include "server/orders/order_book.hpp"
#include "server/orders/worker_threads.hpp"
#include "server/session/work_to_send.hpp"

namespace hemalink::orders {

/// Where a download reaches an analyzer's connection: `is_connected` says whether it has a live
/// one, `deliver` hands the work to its newest and says which (none: no connection took it).
struct DownloadDelivery {
  std::function<bool(const std::string& analyzer)> is_connected;
  std::function<std::optional<std::uint64_t>(const std::string& analyzer, session::WorkToSend work)>
      deliver;
};

/// Download mode: the analyzers configured to receive their work in advance are sent the tests
/// they run as soon as the orders arrive (LIS02-A2 O records in the driver's layout with report
/// type O, or an IHE LAW LAB-28 OML^O33 per specimen), and, when they connect again, also what
/// they were sent and never acknowledged. Runs on a thread of its own; marks each test sent
/// before its message goes (the analyzer's acknowledgement then marks it acknowledged). An
/// analyzer not connected is sent its work when it connects. A pass sends at most 16 pages of
/// 20 orders; the analyzer's acknowledgement starts the next.
class WorkDownload {
 public:
  WorkDownload(std::string dsn, std::shared_ptr<ingest::CurrentMessageReader> reader,
               std::set<std::string, std::less<>> analyzers, DownloadDelivery delivery);
  bool downloads_to(std::string_view analyzer) const { return analyzers_.contains(analyzer); }

  /// New or changed orders on these specimens (the LIS's, or a rule's rerun or reflex).
  void orders_arrived(std::vector<std::string> specimen_ids);
  /// `analyzer` has a new connection, numbered `connection`.
  void connected(const std::string& analyzer, std::uint64_t connection);
  /// That connection closed: what was sent on it and not acknowledged goes again at the next.
  void disconnected(const std::string& analyzer, std::uint64_t connection);
  /// `analyzer` acknowledged work: what one pass left is sent now.
  void taken(const std::string& analyzer);
  /// Sends what is queued, then ends the thread.
  void stop() { thread_.stop(); }

 private:
  /// `resending_to`: the connection that gets, besides, what was sent and not acknowledged.
  void download(const std::string& analyzer, const std::vector<std::string>& specimen_ids,
                std::optional<std::uint64_t> resending_to);
  void without_delivered(std::uint64_t connection, std::vector<records::PendingOrder>& page) const;
  void delivered(std::uint64_t connection, const std::vector<long long>& test_ids);

  std::string dsn_;
  std::shared_ptr<ingest::CurrentMessageReader> reader_;
  std::set<std::string, std::less<>> analyzers_;
  DownloadDelivery delivery_;
  /// Tests handed to each live connection (on the worker thread only; forgotten when it closes):
  /// the resend at its connection leaves out what it already has (an order that came as it
  /// connected was sent on it at once).
  std::map<std::uint64_t, std::set<long long>> delivered_;
  WorkerThreads thread_{1, 10000};
};

}  // namespace hemalink::orders
