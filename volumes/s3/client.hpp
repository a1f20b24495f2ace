#pragma once
// An S3-compatible object-store client: small objects, streamed downloads that resume with Range
// requests, listings, and streaming multipart uploads that buffer one part at most. Every request
// is signed with SigV4 and retried with backoff. One Client may serve several threads at once.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/streams.hpp"
#include "volumes/s3/config.hpp"
#include "volumes/s3/s3_error.hpp"
#include "volumes/s3/xml.hpp"

namespace volumes::s3 {

class Client {
 public:
  // Throws S3Error for a part size outside [minPartSize, 5 GiB] or a missing bucket.
  explicit Client(Config config);

  const Config& config() const { return config_; }

  void putObject(const std::string& key, std::string_view body);  // small objects (manifest, json)
  // nullopt on 404; S3Error when the object is larger than maxBytes.
  std::optional<std::string> getSmallObject(const std::string& key, std::size_t maxBytes);
  // Streams the object, or the byte range [offset, offset+length), to `sink`. After a failure it
  // resumes with a Range request from the first byte the sink has not had (If-Match on the ETag, so
  // a replaced object fails instead of splicing), so no byte reaches the sink twice.
  void getObject(const std::string& key, const base::ChunkSink& sink, std::uint64_t offset = 0,
                 std::optional<std::uint64_t> length = std::nullopt);
  std::optional<ObjectInfo> headObject(const std::string& key);
  // ListObjectsV2, every page; pageSize only exists to let tests force pagination.
  std::vector<ObjectInfo> listObjects(const std::string& prefix, int pageSize = 1000);
  void deleteObject(const std::string& key);  // 404 is not an error

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
    Upload(Client& client, std::string key);
    void flushPart();
    void failIfBroken() const;

    Client& client_;
    std::string key_;
    std::string uploadId_;  // empty until the first full part
    std::string buffer_;
    std::vector<std::string> etags_;
    std::uint64_t written_ = 0;
    std::size_t peakBuffered_ = 0;
    bool completed_ = false;
    bool broken_ = false;  // a write or complete failed: the upload can only be abandoned
  };
  std::unique_ptr<Upload> startUpload(const std::string& key);

 private:
  std::string initiateMultipart(const std::string& key);
  std::string uploadPart(const std::string& key, const std::string& uploadId, int partNumber,
                         std::string_view bytes);
  ObjectInfo completeMultipart(const std::string& key, const std::string& uploadId,
                               const std::vector<std::string>& etags, std::uint64_t size);
  std::string putObjectEtag(const std::string& key, std::string_view body);

  Config config_;
};

}  // namespace volumes::s3
