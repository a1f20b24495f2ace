#include "volumes/s3/transport.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "base/http_client.hpp"
#include "base/sha256.hpp"
#include "volumes/s3/url.hpp"
#include "volumes/s3/xml.hpp"

namespace volumes::s3 {

namespace {

std::string hintFor(const HttpCall& call, int status, const std::string& code,
                    const std::string& storageClass) {
  if (code == "InvalidObjectState") {
    // S3's and OSS's answer to reading an object in an archive storage class that is not restored.
    if (call.method != "GET" && call.method != "HEAD") return "";
    return "the object is in an archive storage class" +
           (storageClass.empty() ? "" : " (" + storageClass + ")") +
           " and must be restored (thawed) first: start a restore (aws s3api restore-object, or OSS's "
           "RestoreObject) and try again once it is readable";
  }
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
  std::string storageClass = xml::text(result.body, "StorageClass").value_or("");
  if (storageClass.empty()) {
    auto it = result.headers.find("x-amz-storage-class");
    if (it != result.headers.end()) storageClass = it->second;
  }
  std::string hint = hintFor(call, static_cast<int>(result.status), code, storageClass);
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
  base::HttpRequest request;
  request.method = call.method;
  request.url = prepared.url;
  for (const auto& [name, value] : prepared.headers) {
    // "name:" would make libcurl drop the header it signed; "name;" is its way to send it empty.
    request.headers.push_back(value.empty() ? name + ";" : name + ": " + value);
  }
  request.headers.push_back("Expect:");  // parts are sent at once; 100-continue only adds a round trip
  request.body = call.body;
  request.sink = call.sink;
  request.maxBody = call.maxBody;
  request.connectTimeout = std::chrono::seconds(15);
  // A transfer slower than 1 KiB/s for a minute is stalled: fail it so the retry loop takes over.
  request.stallBytesPerSecond = 1024;
  request.stallTime = std::chrono::seconds(60);

  base::HttpResponse response = base::httpExchange(request);
  switch (response.failure) {
    case base::HttpFailure::None:
      break;
    case base::HttpFailure::NoMemory:
      throw S3Error("S3: out of memory building request headers");
    case base::HttpFailure::NoHandle:
      throw S3Error("S3: curl_easy_init failed");
    case base::HttpFailure::TooLarge:
      throw S3Error(describe(config, call) + " failed: the answer is larger than " +
                        std::to_string(call.maxBody) + " bytes",
                    static_cast<int>(response.status), "TooLarge");
    case base::HttpFailure::Network:
      if (call.headersOnFailure != nullptr) *call.headersOnFailure = std::move(response.headers);
      throw S3Error(describe(config, call) + " failed: " + response.detail + " (endpoint " + config.endpoint +
                        "; check AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and the network)",
                    0, "", true);
  }
  return {response.status, std::move(response.headers), std::move(response.body), response.delivered};
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
