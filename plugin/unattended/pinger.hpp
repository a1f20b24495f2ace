#pragma once
// Pings in the style healthchecks.io, Uptime Kuma (push monitors) and ntfy accept: POST URL/start
// when a run begins, URL when it succeeds, URL/fail with the reason and the last log lines when it
// fails. Its dead-man's switch then notices a run that never happened. A ping is retried with
// backoff (1 s, 2 s, 4 s; 10 s per try) and never fails the run: a failed one is a warning.
#include <chrono>
#include <string>
#include <vector>

#include "base/secret_mask.hpp"

namespace agentchat {

// URL + "/start" etc., put before any query string (healthchecks.io accepts ?rid=…).
std::string pingUrl(const std::string& url, const std::string& suffix);

// The body of a failure ping: what failed, then the last log lines, secrets masked.
std::string failureBody(const std::string& what, const std::vector<std::string>& logLines,
                        const base::SecretMask& mask, std::size_t maxBytes = 10000);

class Pinger {
 public:
  Pinger(std::string url, base::SecretMask mask,
         std::chrono::milliseconds firstBackoff = std::chrono::seconds(1));

  // Each returns whether the server took the ping (after retries).
  bool start() noexcept;
  bool success(const std::string& body) noexcept;
  bool failure(const std::string& body) noexcept;

 private:
  bool send(const std::string& suffix, const std::string& body) noexcept;

  std::string url_;
  base::SecretMask mask_;
  std::chrono::milliseconds firstBackoff_;
};

}  // namespace agentchat
