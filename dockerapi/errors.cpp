#include "dockerapi/errors.hpp"

#include <nlohmann/json.hpp>

namespace dockerapi {

const char* kindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Unreachable:
      return "engine unreachable";
    case ErrorKind::NotFound:
      return "not found";
    case ErrorKind::NotRunning:
      return "not running";
    case ErrorKind::Conflict:
      return "conflict";
    case ErrorKind::BadRequest:
      return "bad request";
    case ErrorKind::Forbidden:
      return "forbidden";
    case ErrorKind::Server:
      return "engine error";
    case ErrorKind::Protocol:
      return "protocol error";
    case ErrorKind::Unsupported:
      return "unsupported";
  }
  return "error";
}

int exitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Unreachable:
    case ErrorKind::Server:
    case ErrorKind::Protocol:
    case ErrorKind::Unsupported:
      return base::exit_code::kEngine;
    case ErrorKind::NotFound:
      return base::exit_code::kNotFound;
    case ErrorKind::BadRequest:
      return base::exit_code::kUsage;
    default:
      return base::exit_code::kFailed;
  }
}

EngineError::EngineError(ErrorKind kind, std::string message, int httpStatus, std::string engineMessage)
    : base::Error(message, exitCodeFor(kind)),
      kind_(kind),
      httpStatus_(httpStatus),
      engineMessage_(std::move(engineMessage)) {}

namespace {

std::string engineMessageOf(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  std::string text(body.substr(0, 300));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

EngineError errorFromResponse(long status, std::string_view body, std::string_view what) {
  std::string engineMessage = engineMessageOf(body);
  std::string message = std::string(what) + ": " + (engineMessage.empty() ? "no details" : engineMessage);
  ErrorKind kind;
  std::string hint;
  if (status == 404) {
    kind = ErrorKind::NotFound;
    hint = "check the name with `docker ps -a` / `docker volume ls`";
  } else if (status == 409 &&
             (contains(engineMessage, "is not running") || contains(engineMessage, "is paused") ||
              contains(engineMessage, "is restarting"))) {
    kind = ErrorKind::NotRunning;
    hint = "start the container (e.g. `docker compose up -d`) and try again";
  } else if (status == 409) {
    kind = ErrorKind::Conflict;
  } else if (status == 400) {
    kind = ErrorKind::BadRequest;
  } else if (status == 401 || status == 403) {
    kind = ErrorKind::Forbidden;
    hint = "check that your user may use this Docker engine";
  } else if (status >= 500) {
    kind = ErrorKind::Server;
    hint = "the engine failed; its log (e.g. `journalctl -u docker`) may say more";
  } else {
    kind = ErrorKind::Protocol;
  }
  message += " (HTTP " + std::to_string(status) + ")";
  if (!hint.empty()) message += "; " + hint;
  return EngineError(kind, std::move(message), static_cast<int>(status), std::move(engineMessage));
}

EngineError unreachableError(std::string_view endpointUrl, std::string_view detail) {
  std::string message =
      "cannot reach the Docker engine at " + std::string(endpointUrl) + ": " + std::string(detail) +
      ". Is the Docker engine running? Start it (e.g. `sudo systemctl start docker`) or choose "
      "another engine with --host, --context or DOCKER_HOST";
  return EngineError(ErrorKind::Unreachable, std::move(message));
}

}  // namespace dockerapi
