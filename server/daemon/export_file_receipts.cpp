#include "server/daemon/export_file_receipts.hpp"

#include "server/config/analyzer_config.hpp"
#include "server/session/message_log.hpp"

namespace hemalink::daemon {

transport::ReceiveFile receive_export_files(const config::AnalyzerConfig& analyzer,
                                            ConnectionServices services) {
  return [name = analyzer.name, driver = analyzer.driver, services](
             const std::filesystem::path& file, std::string content, transport::FileDone done) {
    auto receipt = records::Receipt::arrived(name, driver, model::WireProtocol::Export,
                                             file.string(), std::move(content));
    const auto id = receipt.id.to_string();
    metrics::MessageTimes times;
    times.received = std::chrono::steady_clock::now();
    auto completed = [name, file, id, times,
                      done = std::move(done)](const store::Completion& completion) mutable {
      times.read = completion.read_at;
      times.committed = completion.committed_at;
      times.answered = std::chrono::steady_clock::now();
      session::log_message(name, file.string(), id, completion, times);
      done(store::is_durable(completion.outcome));
    };
    if (auto submitted = services.messages.submit({std::move(receipt), std::nullopt}, completed);
        !submitted) {
      completed(store::Completion(submitted.error()));
    }
  };
}

}  // namespace hemalink::daemon
