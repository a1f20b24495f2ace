#pragma once
// How a chunk is named and sealed in the store. A plain store names a chunk by the sha256 of its
// bytes and keeps its zstd frame as it is. An encrypted store names it by an HMAC-SHA256 under the
// repository's naming key (so whoever holds the bucket cannot confirm that a known file is in it by
// hashing the file) and seals the frame as an age file to the repository's own X25519 recipient:
// one X25519 per chunk, no scrypt, and `age -d` opens it with the repository key.
#include <optional>
#include <string>
#include <string_view>

#include "volumes/age_keys.hpp"

namespace volumes::chunks {

class ChunkKeys {
 public:
  static ChunkKeys plain() { return ChunkKeys(); }
  // Names keyed by `namingKey` (32 bytes or more of secret), blobs left as they are (tests).
  static ChunkKeys keyed(AgeSecret namingKey);
  // An encrypted store's keys: names keyed, blobs sealed to `identity`'s recipient and opened with it.
  static ChunkKeys encrypted(AgeSecret namingKey, const AgeIdentity& identity);

  // 64 lowercase hex digits.
  std::string name(std::string_view bytes) const;
  bool isKeyed() const { return !namingKey_.empty(); }
  bool seals() const { return identity_.has_value(); }

  // A compressed chunk as the store keeps it.
  std::string seal(std::string frame) const;
  // The compressed chunk back; throws AgeError when a sealed blob does not open (damaged, or
  // another repository's).
  std::string open(std::string blob) const;

  // The repository recipient sealed blobs and catalogs go to (X25519); only when seals().
  const AgeRecipient& recipient() const { return recipient_; }
  const AgeIdentity& identity() const { return *identity_; }

 private:
  ChunkKeys() = default;
  AgeSecret namingKey_;  // wiped when released
  std::optional<AgeIdentity> identity_;
  AgeRecipient recipient_;
};

}  // namespace volumes::chunks
