#include "volumes/part_decoder.hpp"

namespace volumes {

PartDecoder::PartDecoder(const PartRecord& record, const PartKeys* keys, base::ChunkSink raw)
    : name_(record.name),
      plainSha256_(record.plainSha256),
      chunked_(record.chunked()),
      rawSize_(record.rawSize),
      raw_(raw),
      zstd_(std::move(raw), record.rawSize) {
  if (!record.encrypted()) return;
  if (keys == nullptr || keys->empty()) {
    throw PartKeyError(record.name +
                       " is encrypted (age): give the key with --identity FILE (an age identity) or "
                       "--passphrase-file FILE");
  }
  // A passphrase file made with age (or by us) has work factor 2^18; 2^20 (1 GiB of scrypt memory)
  // is as far as a restore goes before refusing, so a hostile part cannot exhaust memory.
  age_ = std::make_unique<AgeDecryptor>(
      [this](std::string_view plain) {
        plainHash_.update(plain);
        zstd_.write(plain);
      },
      *keys, /*maxScryptLogN=*/20);
}

void PartDecoder::write(std::string_view stored) {
  if (chunked_) {
    if (stored.size() > rawSize_ - passed_)
      throw CompressionError(name_ + ": its chunks hold more than the manifest's " +
                             std::to_string(rawSize_) + " bytes");
    passed_ += stored.size();
    return raw_(stored);
  }
  if (!age_) return zstd_.write(stored);
  try {
    age_->write(stored);
  } catch (const AgeError& e) {
    if (e.kind() != AgeError::Kind::NoIdentityMatched) throw;
    throw PartKeyError("none of the given keys opens " + name_ +
                       " (wrong identity or passphrase): " + e.what());
  }
}

void PartDecoder::finish() {
  if (age_) {
    age_->finish();
    if (plainHash_.hexDigest() != plainSha256_)
      throw AgeError(AgeError::Kind::Corrupt,
                     name_ + ": the decrypted bytes' sha256 differs from the manifest's plainSha256");
  }
  if (!chunked_) zstd_.finish();
}

}  // namespace volumes
