#include "plugin/unattended/pinger.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "base/http_client.hpp"

namespace agentchat {

namespace {

constexpr int kTries = 4;

}  // namespace

std::string pingUrl(const std::string& url, const std::string& suffix) {
  if (suffix.empty()) return url;
  auto query = url.find('?');
  std::string path = url.substr(0, query), rest = query == std::string::npos ? "" : url.substr(query);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path + "/" + suffix + rest;
}

std::string failureBody(const std::string& what, const std::vector<std::string>& logLines,
                        const base::SecretMask& mask, std::size_t maxBytes) {
  std::string tail;
  // Newest lines are kept when the excerpt is too long: they hold the failure.
  for (auto it = logLines.rbegin(); it != logLines.rend(); ++it) {
    std::string line = mask.apply(*it) + "\n";
    if (tail.size() + line.size() > maxBytes) break;
    tail.insert(0, line);
  }
  return mask.apply(what) + "\n\nlast log lines:\n" + tail;
}

Pinger::Pinger(std::string url, base::SecretMask mask, std::chrono::milliseconds firstBackoff)
    : url_(std::move(url)), mask_(std::move(mask)), firstBackoff_(firstBackoff) {}

bool Pinger::start() noexcept {
  return send("start", "");
}
bool Pinger::success(const std::string& body) noexcept {
  return send("", body);
}
bool Pinger::failure(const std::string& body) noexcept {
  return send("fail", body);
}

bool Pinger::send(const std::string& suffix, const std::string& body) noexcept {
  try {
    std::string text = mask_.apply(body);
    std::string why;
    auto backoff = firstBackoff_;
    for (int attempt = 1; attempt <= kTries; ++attempt) {
      base::HttpRequest request;
      request.method = "POST";
      request.url = pingUrl(url_, suffix);
      request.headers = {"Content-Type: text/plain; charset=utf-8", "Expect:"};  // no 100-continue wait
      request.body = text;
      request.discardBody = true;
      request.protocols = "http,https";
      request.timeout = std::chrono::seconds(10);
      request.connectTimeout = std::chrono::seconds(5);
      auto response = base::httpExchange(request);
      if (response.failure == base::HttpFailure::None && response.status >= 200 && response.status <= 299)
        return true;
      why = response.failure != base::HttpFailure::None ? response.error
                                                        : "HTTP " + std::to_string(response.status);
      // A 4xx other than 429 will not change on a retry (a wrong UUID, say).
      if (response.status >= 400 && response.status < 500 && response.status != 429) break;
      if (attempt < kTries) {
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
      }
    }
    // The URL is not shown: it is the credential.
    spdlog::warn("the {} ping to the notify URL did not go through ({}); the run itself is not affected",
                 suffix.empty() ? "success" : suffix, mask_.apply(why));
  } catch (const std::exception& e) {
    spdlog::warn("the notify ping failed: {}", mask_.apply(e.what()));
  }
  return false;
}

}  // namespace agentchat
