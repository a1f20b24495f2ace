#include "volumes/chunks/chunk_namer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "base/sha256.hpp"

namespace volumes::chunks {

ChunkNamer ChunkNamer::keyed(std::string key) {
  if (key.size() < 32) throw std::invalid_argument("a chunk naming key needs at least 32 bytes");
  return ChunkNamer(std::move(key));
}

std::string ChunkNamer::name(std::string_view bytes) const {
  if (key_.empty()) return base::sha256Hex(bytes);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), mac, &length))
    throw std::runtime_error("HMAC-SHA256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[mac[i] >> 4]);
    out.push_back(hex[mac[i] & 15]);
  }
  return out;
}

}  // namespace volumes::chunks
