#pragma once
// A chunk's name in the repository: the sha256 of its bytes, or in an encrypted repository an
// HMAC-SHA256 under the repository's key, so that whoever holds the bucket cannot confirm that a
// known file is in it by hashing the file.
#include <string>
#include <string_view>

namespace volumes::chunks {

class ChunkNamer {
 public:
  static ChunkNamer plain() { return ChunkNamer(""); }
  // `key`: the repository's naming key (32 bytes or more of secret).
  static ChunkNamer keyed(std::string key);

  // 64 lowercase hex digits.
  std::string name(std::string_view bytes) const;
  bool isKeyed() const { return !key_.empty(); }

 private:
  explicit ChunkNamer(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace volumes::chunks
