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
  // Listings only (empty from a HEAD or an upload); braced so ObjectInfo{key, size, etag} stays valid.
  std::string lastModified{};  // as listed, ISO 8601 ("2026-12-04T10:00:00.000Z")
  // As listed: "STANDARD", "GLACIER", "DEEP_ARCHIVE", OSS "Archive"/"ColdArchive"; empty when absent.
  std::string storageClass{};
};

// Nanoseconds since the epoch of an ISO 8601 time as S3 lists it ("2026-12-04T10:00:00.000Z", or with
// a "+08:00" offset, any number of fraction digits); 0 when it cannot be read.
std::int64_t parseIsoTime(const std::string& text);

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
