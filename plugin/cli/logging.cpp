#include "plugin/cli/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace agentchat {

namespace {

// One JSON object a line: the message is escaped as JSON, which a pattern cannot do.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    std::time_t t = static_cast<std::time_t>(seconds / 1000);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char when[40];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string time = std::string(when) + "." + std::to_string(1000 + seconds % 1000).substr(1) + "Z";
    auto level = spdlog::level::to_string_view(msg.level);
    std::string line = nlohmann::json{{"time", time},
                                      {"level", std::string(level.data(), level.size())},
                                      {"msg", std::string(msg.payload.data(), msg.payload.size())}}
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                       "\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> recent() {
  static auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(40);
  return sink;
}

}  // namespace

std::vector<std::string> recentLogLines() {
  std::vector<std::string> lines = recent()->last_formatted();
  for (auto& line : lines) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  }
  return lines;
}

void setupLogging(const std::string& level, bool debug, const std::string& format) {
  spdlog::level::level_enum parsed;
  if (debug || level == "debug") {
    parsed = spdlog::level::debug;
  } else if (level == "info" || level.empty()) {
    parsed = spdlog::level::info;
  } else if (level == "warn" || level == "warning") {
    parsed = spdlog::level::warn;
  } else if (level == "error") {
    parsed = spdlog::level::err;
  } else if (level == "fatal") {
    parsed = spdlog::level::critical;
  } else {
    throw std::invalid_argument("unknown --log-level '" + level +
                                "' (use debug, info, warn, error or fatal)");
  }
  auto logger = spdlog::get("agentchat");
  if (!logger) {
    logger = spdlog::stderr_logger_mt("agentchat");
    logger->sinks().push_back(recent());
  }
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  recent()->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%SZ %l: %v",
                                                                      spdlog::pattern_time_type::utc));
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

}  // namespace agentchat
