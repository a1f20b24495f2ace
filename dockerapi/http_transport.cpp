#include "dockerapi/http_transport.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "dockerapi/errors.hpp"

namespace dockerapi {

namespace {

// Error bodies are small JSON; cap what we keep so a misbehaving peer cannot grow memory.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Exchange {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::exception_ptr failure;  // thrown inside a callback; rethrown after curl returns
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {  // a new status line (after 100 Continue too): start over
    exchange->response.headers.clear();
    auto space = line.find(' ');
    if (space != std::string_view::npos)
      exchange->response.status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string value(line.substr(colon + 1));
    auto begin = value.find_first_not_of(" \t");
    auto end = value.find_last_not_of(" \t\r\n");
    value = begin == std::string::npos ? std::string{} : value.substr(begin, end - begin + 1);
    exchange->response.headers[lower(std::string(line.substr(0, colon)))] = value;
  }
  return size * count;
}

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::size_t bytes = size * count;
  long status = exchange->response.status;
  try {
    if (status >= 200 && status < 300 && exchange->request->download) {
      exchange->request->download(std::string_view(data, bytes));
    } else if (status >= 200 && status < 300) {
      exchange->response.body.append(data, bytes);
    } else if (exchange->response.body.size() < kMaxErrorBody) {
      exchange->response.body.append(data, std::min(bytes, kMaxErrorBody - exchange->response.body.size()));
    }
  } catch (...) {
    exchange->failure = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
  return bytes;
}

std::size_t onUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  try {
    return exchange->request->upload(buffer, size * count);
  } catch (...) {
    exchange->failure = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

}  // namespace

std::string HttpResponse::header(const std::string& lowercaseName) const {
  auto it = headers.find(lowercaseName);
  return it == headers.end() ? std::string{} : it->second;
}

HttpTransport::HttpTransport(Endpoint endpoint) : endpoint_(std::move(endpoint)) {
  static CurlGlobal global;
}

HttpTransport::~HttpTransport() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpTransport::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr)
    throw EngineError(ErrorKind::Protocol, "libcurl could not create a handle (out of memory?)");
  return handle;
}

void HttpTransport::release(void* handle) {
  std::lock_guard lock(mutex_);
  idle_.push_back(handle);
}

HttpResponse HttpTransport::perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(acquire());
  struct Return {
    HttpTransport* self;
    CURL* curl;
    ~Return() { self->release(curl); }
  } giveBack{this, curl};
  curl_easy_reset(curl);  // keeps the connection cache, drops every option

  Exchange exchange;
  exchange.request = &request;
  std::string url = endpoint_.baseUrl() + request.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (endpoint_.kind == Endpoint::Kind::Unix)
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, endpoint_.socketPath.c_str());
  if (endpoint_.tls) {
    const TlsFiles& files = endpoint_.tlsFiles;
    if (!files.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, files.caFile.c_str());
    if (!files.certFile.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, files.certFile.c_str());
    if (!files.keyFile.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, files.keyFile.c_str());
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, endpoint_.tlsVerify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, endpoint_.tlsVerify ? 2L : 0L);
  }
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 256L * 1024L);

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before streaming
  headers = curl_slist_append(headers, "User-Agent: docker-agentchat");
  if (request.jsonBody) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.jsonBody->c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.jsonBody->size()));
  } else if (request.upload) {
    std::string type = "Content-Type: " + request.uploadContentType;
    headers = curl_slist_append(headers, type.c_str());
    headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, onUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &exchange);
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
  }
  if (request.headOnly) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  auto started = std::chrono::steady_clock::now();
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
          .count();
  spdlog::debug("engine {} {} -> {} ({} ms)", request.method, request.target, exchange.response.status,
                millis);

  if (exchange.failure) std::rethrow_exception(exchange.failure);
  if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
      code == CURLE_OPERATION_TIMEDOUT || (code == CURLE_SEND_ERROR && exchange.response.status == 0) ||
      (code == CURLE_RECV_ERROR && exchange.response.status == 0)) {
    throw unreachableError(endpoint_.display(), curl_easy_strerror(code));
  }
  if (code != CURLE_OK) {
    throw EngineError(ErrorKind::Protocol, "talking to the Docker engine at " + endpoint_.display() +
                                               " failed during " + request.method + " " + request.target +
                                               ": " + curl_easy_strerror(code));
  }
  return std::move(exchange.response);
}

}  // namespace dockerapi
