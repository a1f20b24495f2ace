#include "volumes/s3/transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <thread>

#include "base/sha256.hpp"
#include "volumes/s3/url.hpp"
#include "volumes/s3/xml.hpp"

namespace volumes::s3 {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One easy handle per thread, reset between calls: keeps connections alive across requests while
// letting several threads use one Client at once.
struct ThreadHandle {
  CURL* handle = nullptr;
  ThreadHandle() {
    static CurlGlobal global;
    handle = curl_easy_init();
  }
  ~ThreadHandle() { curl_easy_cleanup(handle); }
};

CURL* threadHandle() {
  thread_local ThreadHandle handle;
  if (handle.handle == nullptr) throw S3Error("S3: curl_easy_init failed");
  curl_easy_reset(handle.handle);
  return handle.handle;
}

struct Exchange {
  CURL* curl = nullptr;
  const HttpCall* call = nullptr;
  HttpResult* result = nullptr;
  std::string_view pending;  // request body still to send
  std::exception_ptr sinkError;
  bool tooLarge = false;
};

std::size_t onWrite(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  std::size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(exchange.curl, CURLINFO_RESPONSE_CODE, &status);
  if (exchange.call->sink != nullptr && status >= 200 && status < 300) {
    try {
      (*exchange.call->sink)(std::string_view(data, bytes));
    } catch (...) {
      exchange.sinkError = std::current_exception();
      return 0;
    }
    exchange.result->delivered += bytes;
    return bytes;
  }
  if (exchange.result->body.size() + bytes > exchange.call->maxBody) {
    exchange.tooLarge = true;
    return 0;
  }
  exchange.result->body.append(data, bytes);
  return bytes;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange.result->headers.clear();  // a new response (after 100 Continue or a redirect)
    return line.size();
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return line.size();
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  exchange.result->headers[name] = std::string(value);
  return line.size();
}

std::size_t onRead(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  std::size_t n = std::min(size * count, exchange.pending.size());
  std::memcpy(buffer, exchange.pending.data(), n);
  exchange.pending.remove_prefix(n);
  return n;
}

// libcurl rewinds the body when it must resend it (a redirect or an auth retry).
int onSeek(void* user, curl_off_t offset, int origin) {
  auto& exchange = *static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > exchange.call->body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  exchange.pending = exchange.call->body.substr(static_cast<std::size_t>(offset));
  return CURL_SEEKFUNC_OK;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) throw S3Error("S3: out of memory building request headers");
    list = next;
  }
};

std::string hintFor(int status, const std::string& code) {
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") {
    return "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile in ~/.aws/credentials)";
  }
  if (code == "ExpiredToken" || code == "InvalidToken")
    return "refresh the temporary credentials (AWS_SESSION_TOKEN)";
  if (code == "RequestTimeTooSkewed") return "this machine's clock is off; fix it (e.g. with NTP)";
  if (code == "NoSuchBucket")
    return "check the bucket name, and that the endpoint and region are the bucket's";
  if (code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect" || status == 301) {
    return "the bucket is in another region: set AWS_REGION (or AWS_ENDPOINT_URL_S3) to the bucket's";
  }
  if (status == 403)
    return "the credentials lack permission for this bucket or key; check the IAM or bucket policy";
  if (status >= 500 || status == 429) return "the object store failed or throttled; try again later";
  return "";
}

}  // namespace

std::string describe(const Config& config, const HttpCall& call) {
  return call.operation + " s3://" + config.bucket + (call.key.empty() ? "" : "/" + call.key);
}

S3Error statusError(const Config& config, const HttpCall& call, const HttpResult& result) {
  auto error = xml::parseError(result.body);
  std::string code = error ? error->code : "";
  std::string message = describe(config, call) + " failed: HTTP " + std::to_string(result.status);
  if (!code.empty()) message += " " + code;
  if (error && !error->message.empty()) message += ": " + error->message;
  std::string hint = hintFor(static_cast<int>(result.status), code);
  if (!hint.empty()) message += " (" + hint + ")";
  bool retryable = result.status >= 500 || result.status == 429 || code == "RequestTimeout" ||
                   code == "SlowDown" || code == "InternalError";
  return S3Error(message, static_cast<int>(result.status), code, retryable);
}

PreparedRequest prepare(const Config& config, const HttpCall& call, const std::string& amzDate) {
  Target target = buildTarget(config, config.bucket, call.key, call.query);
  sigv4::Request request{call.method, target.path, call.query, call.headers, base::sha256Hex(call.body)};
  request.headers.emplace_back("host", target.host);
  request.headers.emplace_back("x-amz-date", amzDate);
  request.headers.emplace_back("x-amz-content-sha256", request.payloadHash);
  if (!config.credentials.sessionToken.empty()) {
    request.headers.emplace_back("x-amz-security-token", config.credentials.sessionToken);
  }
  sigv4::Signer signer{config.credentials.accessKeyId, config.credentials.secretAccessKey,
                       config.region.empty() ? "us-east-1" : config.region, "s3"};
  PreparedRequest prepared{target.url, request.headers};
  prepared.headers.emplace_back("authorization", sigv4::authorization(signer, amzDate, request));
  return prepared;
}

HttpResult perform(const Config& config, const HttpCall& call) {
  std::string date = sigv4::amzDate(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  PreparedRequest prepared = prepare(config, call, date);
  HeaderList headers;
  for (const auto& [name, value] : prepared.headers) headers.add(name + ": " + value);
  headers.add("Expect:");  // parts are sent at once; 100-continue only adds a round trip

  HttpResult result;
  CURL* curl = threadHandle();
  Exchange exchange{curl, &call, &result, call.body, nullptr, false};
  curl_easy_setopt(curl, CURLOPT_URL, prepared.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
  // A transfer slower than 1 KiB/s for a minute is stalled: fail it so the retry loop takes over.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method == "PUT" || call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, onSeek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &exchange);
    if (call.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  char errorBuffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);

  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  if (exchange.sinkError) std::rethrow_exception(exchange.sinkError);
  if (exchange.tooLarge) {
    throw S3Error(describe(config, call) + " failed: the answer is larger than " +
                      std::to_string(call.maxBody) + " bytes",
                  static_cast<int>(result.status), "TooLarge");
  }
  if (code != CURLE_OK) {
    std::string detail = errorBuffer[0] != '\0' ? errorBuffer : curl_easy_strerror(code);
    throw S3Error(describe(config, call) + " failed: " + detail + " (endpoint " + config.endpoint +
                      "; check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and the network)",
                  0, "", true);
  }
  return result;
}

void backoff(const Config& config, int attempt) {
  thread_local std::mt19937 random{std::random_device{}()};
  auto base = config.retryBaseDelay.count() * (1LL << std::min(attempt - 1, 10));
  // Jitter between half and the full delay, so parallel uploads do not retry in lockstep.
  std::uniform_int_distribution<long long> jitter(base / 2, base);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
}

void withRetries(const Config& config, const std::function<void(int attempt)>& attempt) {
  for (int n = 0;; ++n) {
    try {
      attempt(n);
      return;
    } catch (const S3Error& error) {
      if (!error.retryable()) throw;
      if (n >= config.retries) {
        throw S3Error(std::string(error.what()) + "; gave up after " + std::to_string(n + 1) + " tries",
                      error.httpStatus(), error.code(), true);
      }
    }
    backoff(config, n + 1);
  }
}

}  // namespace volumes::s3
