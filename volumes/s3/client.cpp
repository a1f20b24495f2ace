#include "volumes/s3/client.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "volumes/s3/transport.hpp"

namespace volumes::s3 {

namespace {

constexpr std::uint64_t kMaxPartSize = 5ULL << 30;

HttpResult send(const Config& config, const HttpCall& call, std::initializer_list<long> accepted) {
  HttpResult out;
  withRetries(config, [&](int) {
    HttpResult result = perform(config, call);
    if (std::find(accepted.begin(), accepted.end(), result.status) == accepted.end()) {
      throw statusError(config, call, result);
    }
    out = std::move(result);
  });
  return out;
}

std::optional<std::uint64_t> headerNumber(const HttpResult& result, const std::string& name) {
  auto it = result.headers.find(name);
  if (it == result.headers.end()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (error != std::errc() || end != it->second.data() + it->second.size()) return std::nullopt;
  return value;
}

std::string header(const HttpResult& result, const std::string& name) {
  auto it = result.headers.find(name);
  return it == result.headers.end() ? "" : it->second;
}

}  // namespace

Client::Client(Config config) : config_(std::move(config)) {
  if (config_.bucket.empty()) throw S3Error("S3 client: no bucket given");
  if (config_.region.empty()) config_.region = "us-east-1";
  if (config_.partSize < config_.minPartSize || config_.partSize > kMaxPartSize) {
    throw S3Error("S3 part size " + std::to_string(config_.partSize) + " is outside " +
                  std::to_string(config_.minPartSize) + " bytes to 5 GiB");
  }
  if (config_.retries < 0) config_.retries = 0;
}

void Client::putObject(const std::string& key, std::string_view body) {
  putObjectEtag(key, body);
}

std::string Client::putObjectEtag(const std::string& key, std::string_view body) {
  HttpCall call{"PutObject", "PUT", key, {}, {}, body, nullptr, 1 << 20};
  return xml::stripQuotes(header(send(config_, call, {200}), "etag"));
}

std::optional<std::string> Client::getSmallObject(const std::string& key, std::size_t maxBytes) {
  HttpCall call{"GetObject", "GET", key, {}, {}, {}, nullptr, maxBytes};
  HttpResult result;
  try {
    result = send(config_, call, {200, 404});
  } catch (const S3Error& error) {
    if (error.code() != "TooLarge") throw;
    throw S3Error("GetObject s3://" + config_.bucket + "/" + key + ": the object is larger than " +
                      std::to_string(maxBytes) + " bytes, more than such a file may hold",
                  error.httpStatus(), "TooLarge");
  }
  if (result.status == 404) return std::nullopt;
  return std::move(result.body);
}

void Client::getObject(const std::string& key, const base::ChunkSink& sink, std::uint64_t offset,
                       std::optional<std::uint64_t> length) {
  if (length && *length == 0) return;
  std::uint64_t delivered = 0;
  std::string etag;
  int failures = 0;
  bool sinkFailed = false;
  // Counts what the sink accepted, so a resumed request starts exactly after it.
  base::ChunkSink counting = [&](std::string_view bytes) {
    try {
      sink(bytes);
    } catch (...) {
      sinkFailed = true;
      throw;
    }
    delivered += bytes.size();
  };
  for (;;) {
    const std::uint64_t deliveredBefore = delivered;
    std::uint64_t start = offset + delivered;
    HttpCall call{"GetObject", "GET", key, {}, {}, {}, &counting, 1 << 20};
    bool ranged = start > 0 || length.has_value();
    if (ranged) {
      std::string range = "bytes=" + std::to_string(start) + "-";
      if (length) range += std::to_string(offset + *length - 1);
      call.headers.emplace_back("range", range);
    }
    if (!etag.empty()) call.headers.emplace_back("if-match", "\"" + etag + "\"");
    HttpResult result;
    try {
      result = perform(config_, call);
      if (result.status != (ranged ? 206 : 200)) {
        if (result.status == 200 && ranged) {
          throw S3Error(describe(config_, call) + " failed: the server ignored the Range request", 200,
                        "RangeIgnored");
        }
        throw statusError(config_, call, result);
      }
      if (length && delivered != *length) {
        throw S3Error(describe(config_, call) + " failed: the answer ended after " +
                          std::to_string(delivered) + " of " + std::to_string(*length) + " bytes",
                      0, "", true);
      }
      return;
    } catch (const S3Error& error) {
      if (sinkFailed || !error.retryable()) throw;
      if (delivered > deliveredBefore) failures = 0;  // progress: a long download may hit several blips
      if (++failures > config_.retries) {
        throw S3Error(std::string(error.what()) + "; gave up after " + std::to_string(failures) + " tries, " +
                          std::to_string(delivered) + " bytes delivered",
                      error.httpStatus(), error.code(), true);
      }
    }
    backoff(config_, failures);
    if (etag.empty()) {
      // Pin the object for the resumed requests: a concurrent overwrite must fail, not splice.
      if (auto info = headObject(key)) etag = info->etag;
    }
  }
}

std::optional<ObjectInfo> Client::headObject(const std::string& key) {
  HttpCall call{"HeadObject", "HEAD", key, {}, {}, {}, nullptr, 1 << 20};
  HttpResult result = send(config_, call, {200, 404});
  if (result.status == 404) return std::nullopt;
  return ObjectInfo{key, headerNumber(result, "content-length").value_or(0),
                    xml::stripQuotes(header(result, "etag"))};
}

std::vector<ObjectInfo> Client::listObjects(const std::string& prefix, int pageSize) {
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    HttpCall call{
        "ListObjectsV2", "GET",   "", {{"list-type", "2"}, {"max-keys", std::to_string(pageSize)}}, {}, {},
        nullptr,         16 << 20};
    if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    xml::ListPage page = xml::parseListObjectsV2(send(config_, call, {200}).body);
    out.insert(out.end(), page.objects.begin(), page.objects.end());
    if (!page.truncated) return out;
    if (page.nextContinuationToken.empty() || page.nextContinuationToken == token) {
      throw S3Error(describe(config_, call) + ": a truncated listing came without a new continuation token");
    }
    token = page.nextContinuationToken;
  }
}

void Client::deleteObject(const std::string& key) {
  HttpCall call{"DeleteObject", "DELETE", key, {}, {}, {}, nullptr, 1 << 20};
  send(config_, call, {200, 204, 404});
}

std::vector<PendingUpload> Client::listMultipartUploads(const std::string& prefix) {
  std::vector<PendingUpload> out;
  std::string keyMarker, idMarker;
  for (;;) {
    HttpCall call{"ListMultipartUploads", "GET", "", {{"uploads", ""}}, {}, {}, nullptr, 16 << 20};
    if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
    if (!keyMarker.empty()) call.query.emplace_back("key-marker", keyMarker);
    if (!idMarker.empty()) call.query.emplace_back("upload-id-marker", idMarker);
    xml::UploadsPage page = xml::parseListMultipartUploads(send(config_, call, {200}).body);
    out.insert(out.end(), page.uploads.begin(), page.uploads.end());
    if (!page.truncated) return out;
    if (page.nextKeyMarker == keyMarker && page.nextUploadIdMarker == idMarker) {
      throw S3Error(describe(config_, call) + ": a truncated listing came without new markers");
    }
    keyMarker = page.nextKeyMarker;
    idMarker = page.nextUploadIdMarker;
  }
}

void Client::abortMultipartUpload(const std::string& key, const std::string& uploadId) {
  HttpCall call{"AbortMultipartUpload", "DELETE", key, {{"uploadId", uploadId}}, {}, {}, nullptr, 1 << 20};
  send(config_, call, {200, 204, 404});  // 404 NoSuchUpload: already gone
}

std::string Client::initiateMultipart(const std::string& key) {
  HttpCall call{"CreateMultipartUpload", "POST", key, {{"uploads", ""}}, {}, {}, nullptr, 1 << 20};
  return xml::parseUploadId(send(config_, call, {200}).body);
}

std::string Client::uploadPart(const std::string& key, const std::string& uploadId, int partNumber,
                               std::string_view bytes) {
  HttpCall call{
      "UploadPart", "PUT", key,     {{"partNumber", std::to_string(partNumber)}, {"uploadId", uploadId}},
      {},           bytes, nullptr, 1 << 20};
  std::string etag = xml::stripQuotes(header(send(config_, call, {200}), "etag"));
  if (etag.empty())
    throw S3Error(describe(config_, call) + " failed: no ETag in the answer for part " +
                  std::to_string(partNumber));
  return etag;
}

ObjectInfo Client::completeMultipart(const std::string& key, const std::string& uploadId,
                                     const std::vector<std::string>& etags, std::uint64_t size) {
  std::string body = xml::completeMultipartBody(etags);
  HttpCall call{"CompleteMultipartUpload",
                "POST",
                key,
                {{"uploadId", uploadId}},
                {{"content-type", "application/xml"}},
                body,
                nullptr,
                1 << 20};
  HttpResult result;
  std::optional<ObjectInfo> completedEarlier;
  withRetries(config_, [&](int attempt) {
    result = perform(config_, call);
    // S3 may answer 200 and still fail, with an <Error> in the body.
    if (result.status == 200 && !xml::parseError(result.body)) return;
    S3Error error = statusError(config_, call, result);
    // A retry after a lost answer finds the upload gone: the first try completed it.
    if (attempt > 0 && error.code() == "NoSuchUpload") {
      auto info = headObject(key);
      if (info && info->size == size) {
        completedEarlier = info;
        return;
      }
    }
    throw error;
  });
  if (completedEarlier) return *completedEarlier;
  return ObjectInfo{key, size, xml::stripQuotes(xml::text(result.body, "ETag").value_or(""))};
}

std::unique_ptr<Client::Upload> Client::startUpload(const std::string& key) {
  return std::unique_ptr<Upload>(new Upload(*this, key));
}

}  // namespace volumes::s3
