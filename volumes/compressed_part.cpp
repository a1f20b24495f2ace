#include "volumes/compressed_part.hpp"

namespace volumes {

CompressedPart::CompressedPart(std::unique_ptr<PartFile> file, PartRecord record, int level, int threads,
                               const std::vector<AgeRecipient>* recipients)
    : file_(std::move(file)),
      record_(std::move(record)),
      compressor_([this](std::string_view compressed) { store(compressed); }, level, threads) {
  if (recipients != nullptr && !recipients->empty()) {
    encryptor_ = std::make_unique<AgeEncryptor>([this](std::string_view sealed) { file_->write(sealed); },
                                                *recipients);
  }
}

void CompressedPart::store(std::string_view compressed) {
  if (!encryptor_) return file_->write(compressed);
  plainHash_.update(compressed);
  encryptor_->write(compressed);
}

void CompressedPart::write(std::string_view raw) {
  compressor_.write(raw);
}

PartRecord CompressedPart::finish() {
  compressor_.finish();
  if (encryptor_) {
    encryptor_->finish();
    record_.plainSha256 = plainHash_.hexDigest();
  }
  record_.rawSize = compressor_.bytesIn();
  record_.sha256 = file_->close();
  record_.size = file_->size();
  return record_;
}

}  // namespace volumes
