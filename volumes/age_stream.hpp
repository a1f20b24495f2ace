#pragma once
// Streaming age v1 encryption and decryption (https://age-encryption.org/v1) with bounded memory:
// chunks in, chunks out, the same push shape as zstd_stream.hpp. The output of AgeEncryptor is a
// plain binary age file, so `age -d` decrypts it without this plugin.
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/streams.hpp"
#include "volumes/age_keys.hpp"

namespace volumes {

class AgeEncryptor {
 public:
  // Writes the header to `out` right away. A passphrase recipient must be the only one (the
  // format's rule), otherwise std::invalid_argument.
  AgeEncryptor(base::ChunkSink out, const std::vector<AgeRecipient>& recipients);
  ~AgeEncryptor();
  AgeEncryptor(const AgeEncryptor&) = delete;
  AgeEncryptor& operator=(const AgeEncryptor&) = delete;

  void write(std::string_view plaintext);
  void finish();  // seals the final chunk; no write() afterwards
  // The same file once more, from its header: the same key and nonce, so the same plaintext gives
  // the same bytes (a bundle needs an entry's sha256 before its content: the part is read twice).
  // Only ever for the same plaintext — other plaintext under the same key and nonce would give away
  // the difference of the two.
  void replay();
  std::uint64_t bytesIn() const { return in_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::uint64_t in_ = 0;
  bool finished_ = false;
};

class AgeDecryptor {
 public:
  // Any identity may unwrap the file key. A scrypt work factor above 2^maxScryptLogN is refused
  // (2^22 takes about 4 GiB and several seconds).
  AgeDecryptor(base::ChunkSink out, const std::vector<AgeIdentity>& identities, int maxScryptLogN = 22);
  ~AgeDecryptor();
  AgeDecryptor(const AgeDecryptor&) = delete;
  AgeDecryptor& operator=(const AgeDecryptor&) = delete;

  // Accepts any split of the file. Plaintext reaches `out` a whole 64 KiB chunk at a time, and only
  // once that chunk has authenticated. Throws AgeError (Corrupt also for bytes after the final
  // chunk); after an AgeError the decryptor only rethrows it.
  void write(std::string_view ciphertext);
  // The output is complete, and the file proven whole, only once this returns.
  // Throws AgeError(Truncated) if the file ended before its final chunk, AgeError(Corrupt) if the
  // last chunk does not authenticate (damaged, cut inside a chunk, or followed by a few bytes).
  void finish();
  std::uint64_t bytesOut() const { return out_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::uint64_t out_ = 0;
};

}  // namespace volumes
