#pragma once
// Where each chunk of a repository is: a local SQLite cache of the repository's index files, so a
// repository of any size is looked up with bounded memory (the index never lives in RAM whole).
// The index files (chunks/index/*.tsv) are the truth; the cache can be deleted and read again.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "volumes/chunks/chunk_space.hpp"

namespace volumes::chunks {

class ChunkIndexError : public base::Error {
 public:
  using base::Error::Error;
};

struct BlobLocation {
  std::string pack;                      // the pack's name: the sha256 of its bytes
  std::uint64_t offset = 0, length = 0;  // the blob in the pack
  std::uint64_t size = 0;                // the chunk's raw bytes
};

struct IndexEntry {
  std::string name;
  BlobLocation at;
};

// One line of an index file: "NAME PACK OFFSET LENGTH SIZE" (spaces; readable with sort and join).
std::string indexLine(const IndexEntry& entry);
std::optional<IndexEntry> parseIndexLine(const std::string& line);

// The index files of `space`, "index/PACK.tsv", in name order (partial ones left out).
std::vector<std::string> indexFiles(const ChunkSpace& space);

class ChunkIndex {
 public:
  // Opens (creates) the cache at `cacheFile`.
  explicit ChunkIndex(const std::filesystem::path& cacheFile);
  ~ChunkIndex();
  ChunkIndex(const ChunkIndex&) = delete;
  ChunkIndex& operator=(const ChunkIndex&) = delete;

  // Reads the index files of `space` the cache has not read yet; returns how many it read. When
  // a file the cache has read is gone (a prune elsewhere, a repository put back from a copy), the
  // cache starts over: it must never answer for a chunk whose pack may be gone.
  std::size_t refresh(const ChunkSpace& space, bool again = false);
  // `file`: the index file (a name in the index directory) the entries come from.
  void insert(const std::vector<IndexEntry>& entries, const std::string& file = {});
  bool contains(const std::string& name);
  std::optional<BlobLocation> locate(const std::string& name);
  std::uint64_t size();
  // Forgets everything (after a prune deleted packs); the next refresh() reads every index file.
  void clear();

 private:
  struct Db;
  std::unique_ptr<Db> db_;
};

}  // namespace volumes::chunks
