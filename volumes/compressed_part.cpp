#include "volumes/compressed_part.hpp"

namespace volumes {

CompressedPart::CompressedPart(std::unique_ptr<StoredWriter> file, PartRecord record, int level, int threads,
                               const std::vector<AgeRecipient>* recipients)
    : file_(std::move(file)),
      record_(std::move(record)),
      recipients_(recipients != nullptr && !recipients->empty() ? recipients : nullptr),
      compressor_([this](std::string_view compressed) { store(compressed); }, level, threads) {}

// The encryptor (and a passphrase's scrypt, ~0.5 s) comes with the first compressed bytes, not when
// the part is opened: parts are opened while the app containers are paused.
void CompressedPart::store(std::string_view compressed) {
  if (recipients_ == nullptr) return file_->write(compressed);
  if (!encryptor_) {
    encryptor_ = std::make_unique<AgeEncryptor>([this](std::string_view sealed) { file_->write(sealed); },
                                                *recipients_);
  }
  plainHash_.update(compressed);
  encryptor_->write(compressed);
}

void CompressedPart::write(std::string_view raw) {
  compressor_.write(raw);
}

PartRecord CompressedPart::finish() {
  compressor_.finish();
  if (recipients_ != nullptr) {
    if (!encryptor_) store({});
    encryptor_->finish();
    record_.plainSha256 = plainHash_.hexDigest();
  }
  record_.rawSize = compressor_.bytesIn();
  record_.sha256 = file_->close();
  record_.size = file_->size();
  return record_;
}

}  // namespace volumes
