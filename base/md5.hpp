#pragma once
// MD5 over a stream of chunks: not for security, only to recognise an object by the ETag an S3
// store gives a single-part upload (the MD5 of its bytes), whichever store and upload made it.
#include <memory>
#include <string>
#include <string_view>

namespace base {

class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(std::string_view bytes);
  std::string hexDigest();  // lowercase; once

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace base
