#pragma once
// A part kept as chunks of the repository's deduplicated store (issue #17): the bytes are cut into
// content-defined chunks (a tar stream along its files), only the chunks the store lacks are
// compressed and stored, and the part itself is its chunk list, NAME SIZE per line.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/streams.hpp"
#include "volumes/chunks/chunked_part.hpp"
#include "volumes/chunks/tar_chunking.hpp"
#include "volumes/manifest.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes {

class DeduplicatedPart {
 public:
  // `list` is the backup's file for the chunk list (record.storedName()); `record` gives name,
  // kind, service and source, and finish() fills in the rest. A tar stream (a name ending in
  // .tar.zst) gets a chunk boundary at every file's content. `threads` compress new chunks.
  DeduplicatedPart(std::unique_ptr<StoredWriter> list, chunks::BlobStore& store,
                   const chunks::ChunkKeys& keys, PartRecord record, int level, int threads = 0);

  void write(std::string_view raw);

  // For a stream whose cuts the caller makes (volumes/listing): no tar walk of our own, call first.
  void cutByCaller() { tar_.reset(); }
  void boundary() { writer_.boundary(); }
  // See ChunkedPartWriter::reuse.
  bool reuse(const std::string& name, std::uint64_t size) { return writer_.reuse(name, size); }
  bool has(const std::string& name) { return writer_.has(name); }
  std::uint64_t rawBytes() const { return writer_.rawBytes(); }
  // A tar part's files as they pass (see TarChunking::onFile); nothing for other parts.
  void onFile(std::function<void(const base::TarEntry&, std::uint64_t)> starts,
              std::function<void(std::string_view)> content) {
    if (tar_) tar_->onFile(std::move(starts), std::move(content));
  }
  // Sees every chunk of the part in stream order, as its line is written.
  void onChunk(std::function<void(const chunks::ChunkRef&)> observer) { onChunk_ = std::move(observer); }
  // Closes the list (fsynced); the store's last pack is the caller's to seal before the manifest.
  PartRecord finish();

 private:
  std::unique_ptr<StoredWriter> list_;
  PartRecord record_;
  std::string lines_;  // the list's lines not yet written
  chunks::ChunkedPartWriter writer_;
  std::optional<chunks::TarChunking> tar_;
  std::function<void(const chunks::ChunkRef&)> onChunk_;
};

}  // namespace volumes
