#pragma once
// A part as it is stored: bytes in, zstd frames out, counted and hashed on their way to the file.
// The one path every part of a backup takes, so size, raw size and sha256 always agree.
#include <memory>
#include <string>
#include <string_view>

#include "dockerapi/streams.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_file.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes {

class CompressedPart {
 public:
  // `record` gives name, kind, service and source; finish() fills in the sizes and the digest.
  CompressedPart(std::unique_ptr<PartFile> file, PartRecord record, int level, int threads);

  void write(std::string_view raw);
  dockerapi::ChunkSink sink() {
    return [this](std::string_view raw) { write(raw); };
  }
  // Ends the zstd frame, fsyncs and closes the file.
  PartRecord finish();
  std::uint64_t rawBytes() const { return compressor_.bytesIn(); }
  std::uint64_t storedBytes() const { return file_->size(); }

 private:
  std::unique_ptr<PartFile> file_;
  PartRecord record_;
  ZstdCompressor compressor_;
};

}  // namespace volumes
