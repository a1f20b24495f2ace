#pragma once
// The one error type of the S3 client. Its message is written for the person running the backup:
// the operation, bucket and key, the HTTP status and S3's own code and message, and what to do.
// It never carries a secret, a signature or an Authorization header.
#include <stdexcept>
#include <string>

#include "base/error.hpp"

namespace volumes::s3 {

class S3Error : public base::Error {
 public:
  explicit S3Error(const std::string& message, int httpStatus = 0, std::string code = "",
                   bool retryable = false)
      : base::Error(message), httpStatus_(httpStatus), code_(std::move(code)), retryable_(retryable) {}

  int httpStatus() const { return httpStatus_; }     // 0 when no HTTP answer came (network)
  const std::string& code() const { return code_; }  // "NoSuchKey", "AccessDenied", "" for network
  // A network failure, a 5xx, 429 or S3's RequestTimeout/SlowDown: worth another try.
  bool retryable() const { return retryable_; }

 private:
  int httpStatus_;
  std::string code_;
  bool retryable_;
};

}  // namespace volumes::s3
