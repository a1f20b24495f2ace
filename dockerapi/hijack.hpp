#pragma once
// A hijacked HTTP connection (Upgrade: tcp): after the response head the socket carries raw
// bytes both ways. We write `input` until it ends, half-close our side so the process sees EOF
// on stdin, and keep reading its output until the engine closes the connection.
#include <chrono>
#include <optional>
#include <string>

#include "base/streams.hpp"
#include "dockerapi/endpoint.hpp"

namespace dockerapi {

// With a deadline, throws ExecTimedOut (errors.hpp) once it passes with the process still running.
void hijackedPost(const Endpoint& endpoint, const std::string& target, const std::string& jsonBody,
                  base::ChunkSource input, base::ChunkSink output,
                  std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

}  // namespace dockerapi
