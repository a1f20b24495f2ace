#pragma once
// The way back from a part's stored bytes to the bytes it was made from: age decryption first when
// the part is encrypted (checking the plaintext's sha256 against the manifest), then zstd, capped
// at the manifest's raw size. Shared by the reader a restore pulls from and by verify.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/sha256.hpp"
#include "base/streams.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/age_stream.hpp"
#include "volumes/manifest.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes {

// What opens encrypted parts: identities from --identity files and/or a passphrase.
using PartKeys = std::vector<AgeIdentity>;

// An encrypted part and no key, or keys that do not open it.
class PartKeyError : public base::Error {
 public:
  using base::Error::Error;
};

class PartDecoder {
 public:
  // Throws PartKeyError for an encrypted part when `keys` is null or empty.
  PartDecoder(const PartRecord& record, const PartKeys* keys, base::ChunkSink raw);

  // Throws PartKeyError (no key matched), AgeError (damaged), CompressionError.
  void write(std::string_view stored);
  // Throws when the stream ended early or the plaintext's sha256 disagrees with the manifest.
  void finish();
  std::uint64_t rawBytes() const { return chunked_ ? passed_ : zstd_.bytesOut(); }

 private:
  std::string name_, plainSha256_;
  // A chunked part's reader hands out its raw bytes (each chunk checked): they pass through,
  // capped at the raw size like zstd's output.
  bool chunked_ = false;
  std::uint64_t rawSize_ = 0, passed_ = 0;
  base::ChunkSink raw_;
  ZstdDecompressor zstd_;
  std::unique_ptr<AgeDecryptor> age_;
  base::Sha256 plainHash_;
};

}  // namespace volumes
