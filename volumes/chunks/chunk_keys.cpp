#include "volumes/chunks/chunk_keys.hpp"

#include <stdexcept>

#include "base/sha256.hpp"
#include "volumes/age_stream.hpp"

namespace volumes::chunks {

ChunkKeys ChunkKeys::keyed(AgeSecret namingKey) {
  if (namingKey.size() < 32) throw std::invalid_argument("a chunk naming key needs at least 32 bytes");
  ChunkKeys keys;
  keys.namingKey_ = std::move(namingKey);
  return keys;
}

ChunkKeys ChunkKeys::encrypted(AgeSecret namingKey, const AgeIdentity& identity) {
  ChunkKeys keys = keyed(std::move(namingKey));
  keys.identity_ = identity;
  keys.recipient_ = recipientOf(identity);
  return keys;
}

std::string ChunkKeys::name(std::string_view bytes) const {
  return namingKey_.empty() ? base::sha256Hex(bytes)
                            : base::hexEncode(base::hmacSha256(namingKey_.view(), bytes));
}

std::string ChunkKeys::seal(std::string frame) const {
  if (!identity_) return frame;
  std::string blob;
  blob.reserve(frame.size() + frame.size() / 4096 + 256);
  AgeEncryptor age([&](std::string_view out) { blob.append(out); }, {recipient_});
  age.write(frame);
  age.finish();
  return blob;
}

std::string ChunkKeys::open(std::string blob) const {
  if (!identity_) return blob;
  std::string frame;
  frame.reserve(blob.size());
  AgeDecryptor age([&](std::string_view out) { frame.append(out); }, {*identity_}, /*maxScryptLogN=*/0);
  age.write(blob);
  age.finish();
  return frame;
}

}  // namespace volumes::chunks
