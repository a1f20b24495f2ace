#pragma once
// The primitives age is built from, as age_keys.cpp and age_stream.cpp use them: canonical base64,
// HKDF-SHA-256 and ChaCha20-Poly1305, over OpenSSL 3. Nothing here knows the age format.
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "volumes/age_keys.hpp"

namespace volumes {

namespace age_detail {

// Throws std::runtime_error naming the OpenSSL call (and clears OpenSSL's error queue).
[[noreturn]] void opensslFailed(const char* what);
inline const std::uint8_t* udata(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;

// Standard base64 without padding; decoding rejects non-canonical input (nullopt).
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);
// HKDF-SHA-256 with 32 bytes of output.
AgeSecret hkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info);

inline constexpr std::size_t kAgeTagSize = 16;
using AgeNonce = std::array<std::uint8_t, 12>;

// ChaCha20-Poly1305 under one 32-byte key; one cipher context serves every call, because the
// payload makes one call per 64 KiB chunk.
class Aead {
 public:
  explicit Aead(const AgeSecret& key);
  ~Aead();
  Aead(const Aead&) = delete;
  Aead& operator=(const Aead&) = delete;

  // Writes plain.size() + kAgeTagSize bytes (ciphertext, then tag) to `out`.
  void seal(const AgeNonce& nonce, std::string_view plain, std::uint8_t* out);
  // Writes sealed.size() - kAgeTagSize bytes to `out`; false if the tag does not verify (then
  // `out` holds unauthenticated bytes the caller must not use).
  bool open(const AgeNonce& nonce, std::string_view sealed, std::uint8_t* out);

 private:
  EVP_CIPHER_CTX* ctx_;
};
}  // namespace age_detail

}  // namespace volumes
