#pragma once
// The few S3 XML documents the client reads and writes. S3's responses are flat and regular, so a
// small element extractor is enough; it never evaluates entities beyond the five predefined ones.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace volumes::s3 {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // without the surrounding quotes
};

struct PendingUpload {
  std::string key, uploadId;
};

namespace xml {

// The raw inner text of each <tag>…</tag> (or empty for <tag/>) at any depth, in document order.
std::vector<std::string_view> elements(std::string_view document, std::string_view tag);
// The first such element, entity-decoded; nullopt when absent.
std::optional<std::string> text(std::string_view document, std::string_view tag);
std::string unescape(std::string_view text);
std::string escape(std::string_view text);

struct ListPage {
  std::vector<ObjectInfo> objects;
  bool truncated = false;
  std::string nextContinuationToken;
};
ListPage parseListObjectsV2(std::string_view document);

struct UploadsPage {
  std::vector<PendingUpload> uploads;
  bool truncated = false;
  std::string nextKeyMarker, nextUploadIdMarker;
};
UploadsPage parseListMultipartUploads(std::string_view document);

// The UploadId of an InitiateMultipartUploadResult; throws S3Error when missing.
std::string parseUploadId(std::string_view document);

struct ErrorBody {
  std::string code, message;
};
// S3's <Error><Code>…</Code><Message>…</Message></Error>; empty fields when the body is not one.
std::optional<ErrorBody> parseError(std::string_view document);

// The CompleteMultipartUpload request body for parts 1..n with these ETags.
std::string completeMultipartBody(const std::vector<std::string>& etags);

std::string stripQuotes(std::string_view etag);

}  // namespace xml
}  // namespace volumes::s3
