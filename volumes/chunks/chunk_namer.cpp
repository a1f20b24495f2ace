#include "volumes/chunks/chunk_namer.hpp"

#include <stdexcept>

#include "base/sha256.hpp"

namespace volumes::chunks {

ChunkNamer ChunkNamer::keyed(std::string key) {
  if (key.size() < 32) throw std::invalid_argument("a chunk naming key needs at least 32 bytes");
  return ChunkNamer(std::move(key));
}

std::string ChunkNamer::name(std::string_view bytes) const {
  return key_.empty() ? base::sha256Hex(bytes) : base::hexEncode(base::hmacSha256(key_, bytes));
}

}  // namespace volumes::chunks
