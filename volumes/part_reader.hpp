#pragma once
// Reads a stored part back as the bytes it was made from, pulled in chunks (the shape an exec's
// stdin or an archive upload takes), with memory bounded by a small input chunk. Decompression
// stops with an error past the part's recorded raw size.
#include <cstdint>
#include <filesystem>
#include <string>

#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes {

class PartReader {
 public:
  // `keys` open an encrypted part (PartKeyError without them).
  PartReader(std::unique_ptr<StoredReader> stored, const PartRecord& record, const PartKeys* keys = nullptr);
  PartReader(const std::filesystem::path& file, const PartRecord& record, const PartKeys* keys = nullptr)
      : PartReader(openStoredFile(file), record, keys) {}
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  // Fills up to `capacity` bytes; 0 at the end. Throws CompressionError / RepositoryError /
  // AgeError / PartKeyError.
  std::size_t read(char* buffer, std::size_t capacity);
  base::ChunkSource source() {
    return [this](char* buffer, std::size_t capacity) { return read(buffer, capacity); };
  }

 private:
  std::unique_ptr<StoredReader> stored_;
  std::string pending_;
  std::size_t offset_ = 0;
  bool eof_ = false;
  PartDecoder decoder_;
};

// A tar stream holding one regular file `name` (`mode`) of exactly `size` bytes from `content`:
// what the archive upload endpoint needs to place a single file.
base::ChunkSource singleFileTar(const std::string& name, std::uint64_t size, base::ChunkSource content,
                                std::uint32_t mode = 0644);

}  // namespace volumes
