#include "volumes/s3/client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <iterator>

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

std::string header(const std::map<std::string, std::string>& headers, const std::string& name) {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string header(const HttpResult& result, const std::string& name) {
  return header(result.headers, name);
}

// RFC 9110's token characters, lower-case: what a header name may hold.
bool headerToken(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool controlFree(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

std::string lowerCase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

constexpr std::string_view kAmzMeta = "x-amz-meta-";
constexpr std::string_view kOssMeta = "x-oss-meta-";

}  // namespace

std::vector<std::pair<std::string, std::string>> metadataHeaders(const ObjectMetadata& metadata) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string name, const std::string& value, bool always) {
    if (value.empty() && !always) return;
    if (!controlFree(value)) throw S3Error("object metadata " + name + " holds a control character");
    out.emplace_back(std::move(name), value);
  };
  add("cache-control", metadata.cacheControl, false);
  add("content-disposition", metadata.contentDisposition, false);
  add("content-encoding", metadata.contentEncoding, false);
  add("content-language", metadata.contentLanguage, false);
  add("content-type", metadata.contentType, false);
  std::map<std::string, const std::string*> user;
  for (const auto& [name, value] : metadata.user) {
    std::string lower = lowerCase(name);
    if (!headerToken(lower)) {
      throw S3Error("object metadata name '" + name +
                    "' cannot be an HTTP header: use letters, digits and - _ . only");
    }
    if (!user.emplace(lower, &value).second) throw S3Error("object metadata names '" + lower + "' twice");
  }
  for (const auto& [name, value] : user) add(std::string(kAmzMeta) + name, *value, true);
  return out;
}

ObjectMetadata metadataFromHeaders(const std::map<std::string, std::string>& headers) {
  ObjectMetadata out;
  out.contentType = header(headers, "content-type");
  out.contentEncoding = header(headers, "content-encoding");
  out.contentDisposition = header(headers, "content-disposition");
  out.contentLanguage = header(headers, "content-language");
  out.cacheControl = header(headers, "cache-control");
  std::map<std::string, std::string> user;
  for (const auto& [name, value] : headers) {
    if (name.size() > kAmzMeta.size() && name.compare(0, kAmzMeta.size(), kAmzMeta) == 0) {
      user[name.substr(kAmzMeta.size())] = value;
    }
  }
  for (const auto& [name, value] : headers) {
    if (name.size() > kOssMeta.size() && name.compare(0, kOssMeta.size(), kOssMeta) == 0) {
      user.emplace(name.substr(kOssMeta.size()), value);
    }
  }
  out.user.assign(user.begin(), user.end());
  return out;
}

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
  putObjectEtag(key, body, {});
}

void Client::putObject(const std::string& key, std::string_view body, const ObjectMetadata& metadata) {
  putObjectEtag(key, body, metadata);
}

std::string Client::putObjectEtag(const std::string& key, std::string_view body,
                                  const ObjectMetadata& metadata) {
  HttpCall call{"PutObject", "PUT", key, {}, metadataHeaders(metadata), body, nullptr, 1 << 20};
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
  std::map<std::string, std::string> headers;
  std::uint64_t delivered = 0;
  download(key, sink, offset, length, "", false, headers, delivered);
}

Fetched Client::fetchObject(const std::string& key, const std::string& ifMatch, const base::ChunkSink& sink) {
  Fetched out;
  std::map<std::string, std::string> headers;
  long status = download(key, sink, 0, std::nullopt, xml::stripQuotes(ifMatch), true, headers, out.size);
  if (status == 404) {
    out.status = FetchStatus::Missing;
  } else if (status == 412) {
    out.status = FetchStatus::Changed;
  } else {
    out.metadata = metadataFromHeaders(headers);
    out.etag = xml::stripQuotes(header(headers, "etag"));
  }
  return out;
}

long Client::download(const std::string& key, const base::ChunkSink& sink, std::uint64_t offset,
                      std::optional<std::uint64_t> length, std::string etag, bool soft,
                      std::map<std::string, std::string>& headers, std::uint64_t& delivered) {
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
    std::map<std::string, std::string> cutHeaders;
    HttpCall call{"GetObject", "GET", key, {}, {}, {}, &counting, 1 << 20, &cutHeaders};
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
      if (soft && delivered == 0 && (result.status == 404 || result.status == 412)) {
        headers = std::move(result.headers);
        return result.status;
      }
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
      headers = std::move(result.headers);
      return result.status;
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
    if (etag.empty() && delivered > 0) {
      // Pin the object for the resumed requests: a concurrent overwrite must fail, not splice. The cut
      // answer's own ETag names exactly the bytes delivered; a HEAD is the fallback.
      etag = xml::stripQuotes(header(cutHeaders.empty() ? result.headers : cutHeaders, "etag"));
      if (etag.empty()) {
        if (auto info = headObject(key)) etag = info->etag;
      }
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

Fetched Client::describeObject(const std::string& key) {
  HttpCall call{"HeadObject", "HEAD", key, {}, {}, {}, nullptr, 1 << 20};
  HttpResult result = send(config_, call, {200, 404});
  Fetched out;
  if (result.status == 404) {
    out.status = FetchStatus::Missing;
    return out;
  }
  out.metadata = metadataFromHeaders(result.headers);
  out.etag = xml::stripQuotes(header(result, "etag"));
  out.size = headerNumber(result, "content-length").value_or(0);
  return out;
}

std::vector<ObjectInfo> Client::listObjects(const std::string& prefix, int pageSize) {
  std::vector<ObjectInfo> out;
  listObjects(
      prefix,
      [&](std::vector<ObjectInfo>& objects) {
        out.insert(out.end(), std::make_move_iterator(objects.begin()),
                   std::make_move_iterator(objects.end()));
      },
      pageSize);
  return out;
}

xml::ListPage Client::listPage(const std::string& prefix, const std::string& token, int pageSize) {
  HttpCall call{
      "ListObjectsV2", "GET",   "", {{"list-type", "2"}, {"max-keys", std::to_string(pageSize)}}, {}, {},
      nullptr,         16 << 20};
  if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
  if (!token.empty()) call.query.emplace_back("continuation-token", token);
  xml::ListPage listed = xml::parseListObjectsV2(send(config_, call, {200}).body);
  if (listed.truncated && (listed.nextContinuationToken.empty() || listed.nextContinuationToken == token)) {
    throw S3Error(describe(config_, call) + ": a truncated listing came without a new continuation token");
  }
  return listed;
}

void Client::listObjects(const std::string& prefix, const std::function<void(std::vector<ObjectInfo>&)>& page,
                         int pageSize) {
  std::string token;
  for (;;) {
    xml::ListPage listed = listPage(prefix, token, pageSize);
    page(listed.objects);
    if (!listed.truncated) return;
    token = listed.nextContinuationToken;
  }
}

Client::Listing::Listing(Client& client, std::string prefix, int pageSize)
    : client_(client), prefix_(std::move(prefix)), pageSize_(pageSize) {}

const ObjectInfo* Client::Listing::peek() {
  while (at_ == page_.size()) {
    if (ended_) return nullptr;
    xml::ListPage listed = client_.listPage(prefix_, token_, pageSize_);
    ++pages_;
    page_ = std::move(listed.objects);
    at_ = 0;
    ended_ = !listed.truncated;
    token_ = listed.nextContinuationToken;
  }
  return &page_[at_];
}

void Client::Listing::pop() {
  if (peek()) ++at_;
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

std::string Client::initiateMultipart(const std::string& key, const ObjectMetadata& metadata) {
  HttpCall call{"CreateMultipartUpload",   "POST", key,     {{"uploads", ""}},
                metadataHeaders(metadata), {},     nullptr, 1 << 20};
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
  return startUpload(key, {});
}

std::unique_ptr<Client::Upload> Client::startUpload(const std::string& key, const ObjectMetadata& metadata) {
  metadataHeaders(metadata);  // a name or value that cannot be sent fails now, not after the first part
  return std::unique_ptr<Upload>(new Upload(*this, key, metadata));
}

}  // namespace volumes::s3
