#pragma once
// One HTTP(S) exchange over libcurl: what the object store's signed requests and a schedule's failure
// notification share. No failure is thrown (but the sink's): each caller words its own message. The
// Docker engine keeps its own transport (dockerapi): a unix socket and hijacked streams.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/streams.hpp"

namespace base {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, DELETE, HEAD
  std::string url;
  std::vector<std::string> headers;  // "Name: value" lines as sent; "Name:" drops libcurl's own
  std::string_view body;             // PUT and POST: sent as is, with its Content-Length
  // A 2xx body goes here when set (counted in HttpResponse::delivered) instead of into the response.
  const ChunkSink* sink = nullptr;
  std::size_t maxBody = 1 << 20;           // a larger buffered body ends the exchange as TooLarge
  bool discardBody = false;                // only the status matters: any body is read and dropped
  std::string protocols;                   // e.g. "http,https" refuses every other scheme; empty: libcurl's
  std::chrono::seconds timeout{0};         // the whole exchange; 0: no limit
  std::chrono::seconds connectTimeout{0};  // 0: libcurl's default
  // Slower than stallBytesPerSecond for stallTime: stalled, a Network failure. 0: never.
  long stallBytesPerSecond = 0;
  std::chrono::seconds stallTime{0};
};

enum class HttpFailure {
  None,
  NoHandle,  // libcurl could not start
  NoMemory,  // no memory for the request's header lines
  TooLarge,  // the buffered body would pass maxBody
  Network,   // no complete answer: `error` and `detail` say why
};

struct HttpResponse {
  HttpFailure failure = HttpFailure::None;
  long status = 0;                             // 0 when no answer came
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  std::string body;                            // the buffered body (a non-2xx one always, unless discarded)
  std::uint64_t delivered = 0;                 // bytes handed to the sink
  std::string error;   // Network: libcurl's words for the failure ("Couldn't connect to server")
  std::string detail;  // Network: libcurl's more specific words for this exchange, else `error`
};

// One exchange on this thread's libcurl handle, so connections stay open from one call to the next.
// An exception thrown by the sink propagates unchanged; every other failure is in `failure`.
HttpResponse httpExchange(const HttpRequest& request);

}  // namespace base
