#pragma once
// One signed HTTP exchange with S3 (the exchange itself is base/http_client's), and the retry loop
// around it. No S3 semantics here beyond signing: the client decides what a status means.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/streams.hpp"
#include "volumes/s3/config.hpp"
#include "volumes/s3/sigv4.hpp"

namespace volumes::s3 {

struct HttpCall {
  std::string operation;  // "PutObject", for messages
  std::string method;     // GET, PUT, POST, DELETE, HEAD
  std::string key;        // empty for the bucket itself
  sigv4::Pairs query;
  sigv4::Pairs headers;   // beyond host, x-amz-date/-content-sha256 (Range, If-Match, metadata); all signed
  std::string_view body;  // sent as is, signed with its sha256
  // A 2xx body goes here when set (counted in HttpResult::delivered) instead of into HttpResult::body.
  const base::ChunkSink* sink = nullptr;
  std::size_t maxBody = 1 << 20;  // a larger buffered body fails the call (S3Error, not retryable)
  // When set, a network failure leaves here the headers that did arrive (a cut download's ETag).
  std::map<std::string, std::string>* headersOnFailure = nullptr;
};

struct HttpResult {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins
  std::string body;                            // buffered body (error bodies always)
  std::uint64_t delivered = 0;                 // bytes handed to the sink
};

// The URL and every header of a call signed at amzDate (Authorization last). Pure, for tests.
struct PreparedRequest {
  std::string url;
  sigv4::Pairs headers;
};
PreparedRequest prepare(const Config& config, const HttpCall& call, const std::string& amzDate);

// One attempt. Network failures throw a retryable S3Error (status 0); an exception thrown by the sink
// propagates unchanged. Any HTTP status is returned, not thrown.
HttpResult perform(const Config& config, const HttpCall& call);

// "PutObject s3://bucket/key": how messages name what failed.
std::string describe(const Config& config, const HttpCall& call);

// The S3Error for an unexpected status: S3's code and message plus a hint on what to do.
S3Error statusError(const Config& config, const HttpCall& call, const HttpResult& result);

// Runs attempt(n) until it returns, retrying retryable S3Errors config.retries times with exponential
// backoff and jitter; the last error is rethrown with the number of tries added.
void withRetries(const Config& config, const std::function<void(int attempt)>& attempt);

// Sleeps for the backoff before retry number `attempt` (1-based).
void backoff(const Config& config, int attempt);

}  // namespace volumes::s3
