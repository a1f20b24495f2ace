#include "volumes/archive_reader.hpp"

namespace volumes {

ArchiveReader::ArchiveReader(base::ChunkSource source, std::size_t chunk)
    : source_(std::move(source)), buffer_(chunk), archive_(archive_read_new(), archive_read_free) {
  archive_read_support_format_tar(archive_.get());
  opened_ = archive_read_open(archive_.get(), this, nullptr, onRead, nullptr) == ARCHIVE_OK;
}

la_ssize_t ArchiveReader::onRead(struct archive*, void* data, const void** out) {
  auto* self = static_cast<ArchiveReader*>(data);
  try {
    *out = self->buffer_.data();
    return static_cast<la_ssize_t>(self->source_(self->buffer_.data(), self->buffer_.size()));
  } catch (...) {
    self->failure_ = std::current_exception();
    return -1;
  }
}

}  // namespace volumes
