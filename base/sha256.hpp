#pragma once
// SHA-256 over a stream of chunks (OpenSSL EVP underneath).
#include <memory>
#include <string>
#include <string_view>

namespace base {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Lowercase hex digest; the hasher cannot be updated afterwards.
  std::string hexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

std::string sha256Hex(std::string_view bytes);
// HMAC-SHA256 of `data` under `key`: the 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view data);
// Lowercase hex of any bytes.
std::string hexEncode(std::string_view bytes);

}  // namespace base
