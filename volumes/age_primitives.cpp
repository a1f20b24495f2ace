#include "volumes/age_primitives.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <cstring>
#include <stdexcept>

namespace volumes {

namespace age_detail {

void opensslFailed(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("age: OpenSSL ") + what + " failed");
}

namespace {
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    acc = (acc << 8 | byte) & 0xffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kBase64[(acc << (6 - bits)) & 63];
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int value = base64Value(c);
    if (value < 0) return std::nullopt;
    acc = (acc << 6 | static_cast<std::uint32_t>(value)) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Canonical encodings leave the unused low bits of the last character zero.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

AgeSecret hkdfSha256(std::string_view ikm, std::string_view salt, std::string_view info) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  KdfCtxPtr ctx(kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr);
  EVP_KDF_free(kdf);
  if (!ctx) opensslFailed("HKDF setup");
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
  params[n++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size());
  // An empty salt means HashLen zero bytes (RFC 5869), which is what OpenSSL does without one.
  if (!salt.empty()) {
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size());
  }
  params[n++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  AgeSecret out(32);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) opensslFailed("HKDF");
  return out;
}

Aead::Aead(const AgeSecret& key) : ctx_(EVP_CIPHER_CTX_new()) {
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  bool ok = ctx_ != nullptr && cipher != nullptr && key.size() == 32 &&
            EVP_CipherInit_ex2(ctx_, cipher, key.data(), nullptr, 1, nullptr) == 1;
  EVP_CIPHER_free(cipher);  // the context keeps its own reference
  if (!ok) {
    EVP_CIPHER_CTX_free(ctx_);
    opensslFailed("ChaCha20-Poly1305 setup");
  }
}

Aead::~Aead() {
  EVP_CIPHER_CTX_free(ctx_);
}

void Aead::seal(const AgeNonce& nonce, std::string_view plain, std::uint8_t* out) {
  int len = 0;
  int tail = 0;
  // A new nonce resets the cipher and MAC state but keeps the key. Empty input skips the update:
  // OpenSSL reads a null input pointer as "finalize".
  bool ok = EVP_CipherInit_ex2(ctx_, nullptr, nullptr, nonce.data(), 1, nullptr) == 1 &&
            (plain.empty() ||
             EVP_CipherUpdate(ctx_, out, &len, udata(plain), static_cast<int>(plain.size())) == 1) &&
            EVP_CipherFinal_ex(ctx_, out + len, &tail) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, kAgeTagSize, out + plain.size()) == 1;
  if (!ok) opensslFailed("ChaCha20-Poly1305 encryption");
}

bool Aead::open(const AgeNonce& nonce, std::string_view sealed, std::uint8_t* out) {
  if (sealed.size() < kAgeTagSize) return false;
  const std::size_t size = sealed.size() - kAgeTagSize;
  std::array<std::uint8_t, kAgeTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + size, kAgeTagSize);
  int len = 0;
  int tail = 0;
  bool ok = EVP_CipherInit_ex2(ctx_, nullptr, nullptr, nonce.data(), 0, nullptr) == 1 &&
            (size == 0 || EVP_CipherUpdate(ctx_, out, &len, udata(sealed), static_cast<int>(size)) == 1) &&
            EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kAgeTagSize, tag.data()) == 1;
  if (!ok) opensslFailed("ChaCha20-Poly1305 decryption");
  if (EVP_CipherFinal_ex(ctx_, out + len, &tail) == 1) return true;
  ERR_clear_error();
  return false;
}

}  // namespace age_detail

}  // namespace volumes
