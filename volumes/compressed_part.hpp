#pragma once
// A part as it is stored: bytes in, zstd frames out, counted and hashed on their way to the file.
// The one path every part of a backup takes, so size, raw size and sha256 always agree.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.hpp"
#include "base/streams.hpp"
#include "volumes/age_stream.hpp"
#include "volumes/manifest.hpp"
#include "volumes/stored_bytes.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes {

class CompressedPart {
 public:
  // `record` gives name, kind, service and source; finish() fills in the sizes and the digests.
  // With `recipients`, the zstd stream is encrypted to them (age v1) on its way to the file.
  CompressedPart(std::unique_ptr<StoredWriter> file, PartRecord record, int level, int threads,
                 const std::vector<AgeRecipient>* recipients = nullptr);

  void write(std::string_view raw);
  base::ChunkSink sink() {
    return [this](std::string_view raw) { write(raw); };
  }
  // Ends the zstd frame (and the age stream), fsyncs and closes the file.
  PartRecord finish();
  std::uint64_t rawBytes() const { return compressor_.bytesIn(); }
  std::uint64_t storedBytes() const { return file_->size(); }

 private:
  void store(std::string_view compressed);
  std::unique_ptr<StoredWriter> file_;
  PartRecord record_;
  const std::vector<AgeRecipient>* recipients_;
  std::unique_ptr<AgeEncryptor> encryptor_;  // made with the first bytes: a passphrase costs a scrypt
  base::Sha256 plainHash_;                   // of the zstd stream, when encrypted
  ZstdCompressor compressor_;
};

}  // namespace volumes
