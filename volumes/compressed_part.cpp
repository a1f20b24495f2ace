#include "volumes/compressed_part.hpp"

namespace volumes {

CompressedPart::CompressedPart(std::unique_ptr<PartFile> file, PartRecord record, int level, int threads)
    : file_(std::move(file)),
      record_(std::move(record)),
      compressor_([this](std::string_view stored) { file_->write(stored); }, level, threads) {}

void CompressedPart::write(std::string_view raw) {
  compressor_.write(raw);
}

PartRecord CompressedPart::finish() {
  compressor_.finish();
  record_.rawSize = compressor_.bytesIn();
  record_.sha256 = file_->close();
  record_.size = file_->size();
  return record_;
}

}  // namespace volumes
