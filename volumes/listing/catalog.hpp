#pragma once
// A volume's catalog (issue #17, LISTING.md): a line per regular file of the backup's tar stream,
// in walk order, with the facts that tell the next backup whether the file changed (size, times,
// inode, mode, owner) and the chunks its content is. The next backup's lister skips a file whose
// facts are unchanged, and the backup reuses those chunks instead of reading it again.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/streams.hpp"
#include "volumes/listing/lister_protocol.hpp"
#include "volumes/stored_bytes.hpp"
#include "volumes/zstd_lines.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes::listing {

class ListingError : public base::Error {
 public:
  using base::Error::Error;
};

struct CatalogEntry {
  std::string path;  // relative to the volume's root, no "./"
  std::uint64_t size = 0;
  std::int64_t mtime = 0, ctime = 0;  // nanoseconds since the epoch
  std::uint64_t ino = 0;
  std::uint32_t mode = 0;  // st_mode, type bits included
  std::uint64_t uid = 0, gid = 0;
  std::string flags;  // 'u' changed while read (never reused), 's' starts with the marker (SQLite)
  std::vector<std::pair<std::string, std::uint64_t>> chunks;  // name, raw size
};

// The first nine fields, tab-separated: what the lister reads to decide.
std::string statLine(const CatalogEntry& entry);
// statLine, a tab, then the chunks as NAME:SIZE separated by commas.
std::string catalogLine(const CatalogEntry& entry);
// Parses statLine (withChunks false) or catalogLine; throws ListingError saying what is wrong.
CatalogEntry parseCatalogLine(std::string_view line, bool withChunks);

std::string catalogHeader(std::int64_t listedAt);

// Reads a catalog (one zstd frame of lines) in order, with bounded memory.
class CatalogReader {
 public:
  explicit CatalogReader(std::unique_ptr<StoredReader> file);
  std::int64_t listedAt() const { return listedAt_; }
  // The next entry, or nullopt at the end; its index counts from 0. A file of facts (statLine only,
  // the lister's facts spilled) is read with `withChunks` false.
  std::optional<CatalogEntry> next(bool withChunks = true);
  std::uint64_t index() const { return index_; }  // of the entry next() returns next
  // Its lines as the lister reads them (the header, then statLine of each entry), pulled.
  base::ChunkSource forLister();

 private:
  ZstdLines<ListingError> lines_;
  std::int64_t listedAt_ = 0;
  std::uint64_t index_ = 0;
};

class CatalogWriter {
 public:
  CatalogWriter(std::unique_ptr<StoredWriter> file, std::int64_t listedAt);
  void add(const CatalogEntry& entry);
  void addFacts(const CatalogEntry& entry);  // statLine only
  // Ends the frame and closes the file; returns its sha256.
  std::string close();
  std::uint64_t size() const { return file_->size(); }
  std::uint64_t entries() const { return entries_; }

 private:
  std::unique_ptr<StoredWriter> file_;
  ZstdCompressor zstd_;
  std::uint64_t entries_ = 0;
};

}  // namespace volumes::listing
