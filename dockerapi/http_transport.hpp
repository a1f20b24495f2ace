#pragma once
// HTTP/1.1 to the engine over libcurl, streaming in both directions. Thread-safe: each request
// borrows an easy handle from a small pool, so keep-alive connections are reused across calls.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/streams.hpp"
#include "dockerapi/endpoint.hpp"

namespace dockerapi {

struct HttpRequest {
  std::string method = "GET";
  std::string target;                   // path and query: "/v1.41/containers/json?all=1"
  std::optional<std::string> jsonBody;  // sent with Content-Type: application/json
  base::ChunkSource upload;             // streamed request body (chunked); exclusive with jsonBody
  std::string uploadContentType = "application/x-tar";
  base::ChunkSink download;  // streamed 2xx response body; otherwise collected in `body`
  bool headOnly = false;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;                            // the body unless streamed; error bodies always
  std::string header(const std::string& lowercaseName) const;
};

class HttpTransport {
 public:
  explicit HttpTransport(Endpoint endpoint);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Performs the request. Throws EngineError(Unreachable) when there is no connection,
  // rethrows whatever a sink or source threw, and returns any HTTP status to the caller.
  HttpResponse perform(const HttpRequest& request);
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  void* acquire();
  void release(void* handle);

  Endpoint endpoint_;
  std::mutex mutex_;
  std::vector<void*> idle_;
};

}  // namespace dockerapi
