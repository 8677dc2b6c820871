#include "server/daemon/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hemalink::daemon {
namespace {

// One JSON object per line, the message escaped as JSON text (log lines carry analyzer bytes).
class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t time;
    time_formatter_.format(msg, time);
    nlohmann::json line = {
        {"time", std::string(time.data(), time.size())},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"message", std::string(msg.payload.data(), msg.payload.size())},
    };
    const auto text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).append("\n");
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  spdlog::pattern_formatter time_formatter_{"%Y-%m-%dT%H:%M:%S.%e%z",
                                            spdlog::pattern_time_type::utc, ""};
};

}  // namespace

void configure_logging(const std::string& level, bool as_json) {
  std::shared_ptr<spdlog::logger> logger;
  if (as_json) {
    logger = std::make_shared<spdlog::logger>("hemalink", std::make_shared<JsonLineSink>());
  } else {
    logger = std::make_shared<spdlog::logger>("hemalink",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace hemalink::daemon
