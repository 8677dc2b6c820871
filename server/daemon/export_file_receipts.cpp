#include "server/daemon/export_file_receipts.hpp"

#include "server/config/daemon_config.hpp"
#include "server/session/message_log.hpp"

namespace hemalink::daemon {

transport::ReceiveFile receive_export_files(const config::AnalyzerConfig& analyzer,
                                            ConnectionServices services) {
  return [name = analyzer.name, driver = analyzer.driver, services](
             const std::filesystem::path& file, std::string content, transport::FileDone done) {
    auto receipt = store::Receipt::arrived(name, driver, model::WireProtocol::Export, file.string(),
                                           std::move(content));
    auto read = services.reader->read(receipt);
    auto summary = session::summarize(read);
    const auto id = receipt.id.to_string();
    const auto submitted = std::chrono::steady_clock::now();
    auto completed = [name, file, id, summary, submitted,
                      done = std::move(done)](const store::Completion& completion) {
      session::log_message(name, file.string(), id, summary, completion,
                           std::chrono::steady_clock::now() - submitted);
      done(store::is_durable(completion.outcome));
    };
    if (auto submitted = services.store.submit({std::move(receipt), std::move(read)}, completed);
        !submitted) {
      completed({store::StoreOutcome::Failed, submitted.error().detail});
    }
  };
}

}  // namespace hemalink::daemon
