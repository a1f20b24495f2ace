#include "volumes/deduplicated_part.hpp"

namespace volumes {

namespace {
bool isTar(const std::string& name) {
  const std::string suffix = ".tar.zst";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

DeduplicatedPart::DeduplicatedPart(std::unique_ptr<StoredWriter> list, chunks::BlobStore& store,
                                   const chunks::ChunkKeys& keys, PartRecord record, int level, int threads)
    : list_(std::move(list)),
      record_(std::move(record)),
      writer_(
          store, keys,
          [this](const chunks::ChunkRef& ref) {
            lines_ += chunks::chunkListLine(ref) + "\n";
            if (onChunk_) onChunk_(ref);
            record_.size += ref.stored;
            if (ref.added) record_.newSize += ref.stored;
            if (lines_.size() >= 64 * 1024) {
              list_->write(lines_);
              lines_.clear();
            }
          },
          chunks::ChunkLimits{}, level, threads) {
  record_.storage = "chunks";
  record_.size = record_.newSize = 0;
  if (isTar(record_.name)) tar_.emplace(writer_);
}

void DeduplicatedPart::write(std::string_view raw) {
  if (tar_)
    tar_->write(raw);
  else
    writer_.write(raw);
}

PartRecord DeduplicatedPart::finish() {
  if (tar_) tar_->finish();
  writer_.finish();
  list_->write(lines_);
  lines_.clear();
  record_.rawSize = writer_.rawBytes();
  record_.sha256 = list_->close();
  return record_;
}

}  // namespace volumes
