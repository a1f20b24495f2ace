#pragma once
// A part kept as chunks of the repository's deduplicated store (issue #17): the bytes are cut into
// content-defined chunks (a tar stream along its files), only the chunks the store lacks are
// compressed and stored, and the part itself is its chunk list, NAME SIZE per line.
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
                   const chunks::ChunkNamer& namer, PartRecord record, int level, int threads = 0);

  void write(std::string_view raw);
  // Closes the list (fsynced); the store's last pack is the caller's to seal before the manifest.
  PartRecord finish();

 private:
  std::unique_ptr<StoredWriter> list_;
  PartRecord record_;
  std::string lines_;  // the list's lines not yet written
  chunks::ChunkedPartWriter writer_;
  std::optional<chunks::TarChunking> tar_;
};

}  // namespace volumes
