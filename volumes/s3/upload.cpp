// Client::Upload: the streaming multipart upload. Memory is bounded by one part: the buffer is
// reserved once at partSize and never grows past it.
#include "volumes/s3/client.hpp"

namespace volumes::s3 {

namespace {
constexpr int kMaxParts = 10000;  // S3's limit per multipart upload
}

Client::Upload::Upload(Client& client, std::string key, ObjectMetadata metadata)
    : client_(client), key_(std::move(key)), metadata_(std::move(metadata)) {
  buffer_.reserve(client_.config_.partSize);
}

Client::Upload::~Upload() {
  if (completed_ || uploadId_.empty()) return;
  try {
    client_.abortMultipartUpload(key_, uploadId_);
  } catch (...) {
    // Best effort: a lifecycle rule or listMultipartUploads + abort cleans up what is left.
  }
}

void Client::Upload::failIfBroken() const {
  if (completed_)
    throw S3Error("upload of s3://" + client_.config_.bucket + "/" + key_ + " already completed");
  if (broken_) {
    throw S3Error("upload of s3://" + client_.config_.bucket + "/" + key_ +
                  " failed earlier and cannot continue; start it again");
  }
}

void Client::Upload::write(std::string_view bytes) {
  failIfBroken();
  const std::size_t partSize = client_.config_.partSize;
  while (!bytes.empty()) {
    std::size_t take = std::min(bytes.size(), partSize - buffer_.size());
    buffer_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    written_ += take;
    peakBuffered_ = std::max(peakBuffered_, buffer_.size());
    if (buffer_.size() == partSize) flushPart();
  }
}

void Client::Upload::flushPart() {
  try {
    if (static_cast<int>(etags_.size()) >= kMaxParts) {
      throw S3Error("upload of s3://" + client_.config_.bucket + "/" + key_ + " needs more than " +
                    std::to_string(kMaxParts) + " parts of " + std::to_string(client_.config_.partSize) +
                    " bytes; raise the part size");
    }
    if (uploadId_.empty()) uploadId_ = client_.initiateMultipart(key_, metadata_);
    etags_.push_back(client_.uploadPart(key_, uploadId_, static_cast<int>(etags_.size()) + 1, buffer_));
    buffer_.clear();  // keeps the reserved capacity
  } catch (...) {
    broken_ = true;
    throw;
  }
}

ObjectInfo Client::Upload::complete() {
  failIfBroken();
  try {
    ObjectInfo info;
    if (uploadId_.empty()) {
      // It all fit in one part: a plain PutObject is one request instead of three.
      info = ObjectInfo{key_, written_, client_.putObjectEtag(key_, buffer_, metadata_)};
    } else {
      if (!buffer_.empty()) flushPart();
      info = client_.completeMultipart(key_, uploadId_, etags_, written_);
    }
    completed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return info;
  } catch (...) {
    broken_ = true;
    throw;
  }
}

}  // namespace volumes::s3
