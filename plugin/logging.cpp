#include "plugin/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace agentchat {

void setupLogging(const std::string& level, bool debug) {
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
  if (!logger) logger = spdlog::stderr_logger_mt("agentchat");
  logger->set_pattern("%^%l%$: %v");
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
}

}  // namespace agentchat
