#include "base/sha256.hpp"

#include "base/md5.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>
#include <string>

namespace base {

namespace {

EVP_MD_CTX* newDigest(const EVP_MD* type, const char* what) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, type, nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error(std::string(what) + ": OpenSSL initialisation failed");
  }
  return ctx;
}

std::string finishDigest(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  return hexEncode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
};

struct Md5::State {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
};

Md5::Md5() : state_(std::make_unique<State>()) {
  state_->ctx = newDigest(EVP_md5(), "md5");
}

Md5::~Md5() {
  EVP_MD_CTX_free(state_->ctx);
}

void Md5::update(std::string_view bytes) {
  if (state_->finished) throw std::logic_error("md5: update after digest");
  EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
}

std::string Md5::hexDigest() {
  state_->finished = true;
  return finishDigest(state_->ctx);
}

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = newDigest(EVP_sha256(), "sha256");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(state_->ctx);
}

void Sha256::update(std::string_view bytes) {
  if (state_->finished) throw std::logic_error("sha256: update after digest");
  EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::hexDigest() {
  state_->finished = true;
  return finishDigest(state_->ctx);
}

std::string sha256Hex(std::string_view bytes) {
  Sha256 hasher;
  hasher.update(bytes);
  return hasher.hexDigest();
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string hexEncode(std::string_view bytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xf]);
  }
  return out;
}

}  // namespace base
