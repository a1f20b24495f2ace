#pragma once
// An S3-compatible object-store client: small objects, streamed downloads that resume with Range
// requests, listings page by page, object metadata read and written again, and streaming multipart
// uploads that buffer one part at most. Every request is signed with SigV4 and retried with backoff.
// One Client may serve several threads at once.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/streams.hpp"
#include "volumes/s3/config.hpp"
#include "volumes/s3/s3_error.hpp"
#include "volumes/s3/xml.hpp"

namespace volumes::s3 {

struct ObjectMetadata {  // what a GET tells beside the bytes and a PUT sets again
  std::string contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl;
  // x-amz-meta-NAME: NAME lower-case, value as sent, sorted by name
  std::vector<std::pair<std::string, std::string>> user;

  bool operator==(const ObjectMetadata&) const = default;
};

// The request headers that set `metadata` (empty fields left out, user names lower-cased). Throws
// S3Error for a user name that is no HTTP token or a value with a control character (CR/LF would
// smuggle headers in).
std::vector<std::pair<std::string, std::string>> metadataHeaders(const ObjectMetadata& metadata);
// The metadata in an answer's headers (lower-case names). OSS's own x-oss-meta-* count as user
// metadata too, for an OSS that answers in its own dialect; x-amz-meta-* wins for the same name.
ObjectMetadata metadataFromHeaders(const std::map<std::string, std::string>& headers);

enum class FetchStatus { Fetched, Missing, Changed };
struct Fetched {
  FetchStatus status = FetchStatus::Fetched;
  ObjectMetadata metadata;
  std::string etag;        // without quotes
  std::uint64_t size = 0;  // bytes delivered (describeObject: the object's size)
};

class Client {
 public:
  // Throws S3Error for a part size outside [minPartSize, 5 GiB] or a missing bucket.
  explicit Client(Config config);

  const Config& config() const { return config_; }

  void putObject(const std::string& key, std::string_view body);  // small objects (manifest, json)
  // The same with Content-Type, Content-Encoding, … and x-amz-meta-* set from `metadata` (all signed).
  void putObject(const std::string& key, std::string_view body, const ObjectMetadata& metadata);
  // nullopt on 404; S3Error when the object is larger than maxBytes.
  std::optional<std::string> getSmallObject(const std::string& key, std::size_t maxBytes);
  // Streams the object, or the byte range [offset, offset+length), to `sink`. After a failure it
  // resumes with a Range request from the first byte the sink has not had (If-Match on the ETag, so
  // a replaced object fails instead of splicing), so no byte reaches the sink twice.
  void getObject(const std::string& key, const base::ChunkSink& sink, std::uint64_t offset = 0,
                 std::optional<std::uint64_t> length = std::nullopt);
  // Streams the object to `sink` with its metadata from the response headers. With `ifMatch`
  // (an ETag without quotes) the GET carries If-Match, so an object replaced since it was listed is
  // Changed (412) and never mixed in; a 404 is Missing. Both only when nothing reached the sink yet.
  // A failure after some bytes resumes with Range + If-Match like getObject (no byte twice).
  // An object in an archive storage class that must be restored first (S3 403 InvalidObjectState,
  // OSS 403 with code InvalidObjectState too) throws S3Error with code "InvalidObjectState" and a
  // message naming the key and saying it must be restored (thawed) first.
  Fetched fetchObject(const std::string& key, const std::string& ifMatch, const base::ChunkSink& sink);
  std::optional<ObjectInfo> headObject(const std::string& key);
  // A HEAD told as fetchObject tells a GET, without the bytes: metadata, ETag and size (the object's
  // Content-Length), or Missing on a 404. Works on archived objects too (S3 answers HEAD for them).
  Fetched describeObject(const std::string& key);
  // ListObjectsV2, every page; pageSize only exists to let tests force pagination.
  std::vector<ObjectInfo> listObjects(const std::string& prefix, int pageSize = 1000);
  // ListObjectsV2 without holding the listing: `page` is called once per page (possibly an empty
  // one), in key order, and may move the objects out. An exception from `page` ends the listing.
  void listObjects(const std::string& prefix, const std::function<void(std::vector<ObjectInfo>&)>& page,
                   int pageSize = 1000);
  void deleteObject(const std::string& key);  // 404 is not an error

  // ListObjectsV2 pulled a key at a time, a page held at most: for walking a listing side by side
  // with another sorted stream (a restore merges it with the backup's keys).
  class Listing {
   public:
    Listing(Client& client, std::string prefix, int pageSize = 1000);
    const ObjectInfo* peek();  // the next object in key order; nullptr after the last
    void pop();
    std::uint64_t pages() const { return pages_; }

   private:
    Client& client_;
    std::string prefix_, token_;
    int pageSize_;
    std::vector<ObjectInfo> page_;
    std::size_t at_ = 0;
    std::uint64_t pages_ = 0;
    bool ended_ = false;
  };

  using PendingUpload = s3::PendingUpload;
  std::vector<PendingUpload> listMultipartUploads(const std::string& prefix);
  void abortMultipartUpload(const std::string& key, const std::string& uploadId);

  // A streaming upload. write() buffers at most one part and uploads each full part (UploadPart,
  // retried); complete() sends the last part and CompleteMultipartUpload, or a single PutObject when
  // everything fit in one part. Destroying it without complete() aborts the multipart upload, best
  // effort. Not thread-safe itself; the Client must outlive it.
  class Upload {
   public:
    ~Upload();
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;

    void write(std::string_view bytes);
    ObjectInfo complete();

    std::size_t bufferedBytes() const { return buffer_.size(); }
    std::size_t peakBufferedBytes() const { return peakBuffered_; }
    std::size_t bufferCapacity() const { return buffer_.capacity(); }
    std::uint64_t bytesWritten() const { return written_; }
    int partsUploaded() const { return static_cast<int>(etags_.size()); }
    const std::string& uploadId() const { return uploadId_; }

   private:
    friend class Client;
    Upload(Client& client, std::string key, ObjectMetadata metadata);
    void flushPart();
    void failIfBroken() const;

    Client& client_;
    std::string key_;
    ObjectMetadata metadata_;  // set by the PutObject or CreateMultipartUpload
    std::string uploadId_;     // empty until the first full part
    std::string buffer_;
    std::vector<std::string> etags_;
    std::uint64_t written_ = 0;
    std::size_t peakBuffered_ = 0;
    bool completed_ = false;
    bool broken_ = false;  // a write or complete failed: the upload can only be abandoned
  };
  std::unique_ptr<Upload> startUpload(const std::string& key);
  // The object gets `metadata` (see putObject); complete() returns its ETag.
  std::unique_ptr<Upload> startUpload(const std::string& key, const ObjectMetadata& metadata);

 private:
  // The GET loop of getObject and fetchObject: resumes after a failure from the first byte the sink
  // has not had, pinned with If-Match. `ifMatch` (may be empty) goes on the first request already.
  // When `soft`, a 404 or 412 before any byte is returned instead of thrown. Returns the last
  // answer's status (200, 206, 404 or 412) and fills `headers` with its headers.
  long download(const std::string& key, const base::ChunkSink& sink, std::uint64_t offset,
                std::optional<std::uint64_t> length, std::string ifMatch, bool soft,
                std::map<std::string, std::string>& headers, std::uint64_t& delivered);
  // One ListObjectsV2 page after `token` (empty: the first); throws for a truncated page without a
  // new token, which would list forever.
  xml::ListPage listPage(const std::string& prefix, const std::string& token, int pageSize);
  std::string initiateMultipart(const std::string& key, const ObjectMetadata& metadata);
  std::string uploadPart(const std::string& key, const std::string& uploadId, int partNumber,
                         std::string_view bytes);
  ObjectInfo completeMultipart(const std::string& key, const std::string& uploadId,
                               const std::vector<std::string>& etags, std::uint64_t size);
  std::string putObjectEtag(const std::string& key, std::string_view body, const ObjectMetadata& metadata);

  Config config_;
};

}  // namespace volumes::s3
