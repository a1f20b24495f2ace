#include "base/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <exception>

namespace base {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One easy handle per thread, reset between calls: keeps connections alive across requests while
// letting several threads make requests at once.
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
  if (handle.handle != nullptr) curl_easy_reset(handle.handle);
  return handle.handle;
}

struct Exchange {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::string_view pending;  // request body still to send
  std::exception_ptr sinkError;
  bool tooLarge = false;
};

std::size_t onWrite(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  std::size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(exchange.curl, CURLINFO_RESPONSE_CODE, &status);
  if (exchange.request->sink != nullptr && status >= 200 && status < 300) {
    try {
      (*exchange.request->sink)(std::string_view(data, bytes));
    } catch (...) {
      exchange.sinkError = std::current_exception();
      return 0;
    }
    exchange.response->delivered += bytes;
    return bytes;
  }
  if (exchange.request->discardBody) return bytes;
  if (exchange.response->body.size() + bytes > exchange.request->maxBody) {
    exchange.tooLarge = true;
    return 0;
  }
  exchange.response->body.append(data, bytes);
  return bytes;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& exchange = *static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    exchange.response->headers.clear();  // a new response (after 100 Continue or a redirect)
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
  exchange.response->headers[name] = std::string(value);
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
  std::string_view body = exchange.request->body;
  if (origin != SEEK_SET || offset < 0 || static_cast<std::size_t>(offset) > body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  exchange.pending = body.substr(static_cast<std::size_t>(offset));
  return CURL_SEEKFUNC_OK;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

void setMethod(CURL* curl, Exchange& exchange) {
  const HttpRequest& request = *exchange.request;
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, onSeek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &exchange);
    if (request.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void setLimits(CURL* curl, const HttpRequest& request) {
  if (!request.protocols.empty()) curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, request.protocols.c_str());
  if (request.timeout.count() > 0)
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(request.timeout.count()));
  if (request.connectTimeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(request.connectTimeout.count()));
  }
  if (request.stallBytesPerSecond > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, request.stallBytesPerSecond);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stallTime.count()));
  }
}

}  // namespace

HttpResponse httpExchange(const HttpRequest& request) {
  HttpResponse response;
  HeaderList headers;
  for (const auto& line : request.headers) {
    if (!headers.add(line)) {
      response.failure = HttpFailure::NoMemory;
      return response;
    }
  }
  CURL* curl = threadHandle();
  if (curl == nullptr) {
    response.failure = HttpFailure::NoHandle;
    return response;
  }
  Exchange exchange{curl, &request, &response, request.body, nullptr, false};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // As given: an object key may hold "../" or "./", which curl would otherwise squash away.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  setLimits(curl, request);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  setMethod(curl, exchange);
  char errorBuffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);

  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  // The handle outlives this call: it must not point at this stack frame's buffer any more.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (exchange.sinkError) std::rethrow_exception(exchange.sinkError);
  if (exchange.tooLarge) {
    response.failure = HttpFailure::TooLarge;
  } else if (code != CURLE_OK) {
    response.failure = HttpFailure::Network;
    response.error = curl_easy_strerror(code);
    response.detail = errorBuffer[0] != '\0' ? errorBuffer : response.error;
  }
  return response;
}

}  // namespace base
