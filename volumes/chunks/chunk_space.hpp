#pragma once
// Where a deduplicated store's files live: REPO/.chunks/ in a directory, or PREFIX/.chunks/ in a
// bucket. The store's logic (packs, index files, garbage collection, check) is written once against
// this; the host-local parts (the lock between a prune and backups, the index cache, a pack being
// filled) always sit in a directory of this host.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace volumes::chunks {

// A pack being filled. Destroyed without seal(), it leaves nothing the store counts on.
class PackFile {
 public:
  virtual ~PackFile() = default;
  virtual void write(std::string_view bytes) = 0;
  virtual std::uint64_t size() const = 0;
  // Makes the pack durable as packs/XX/NAME, NAME the sha256 of its bytes, and returns NAME.
  virtual std::string seal() = 0;
};

struct SpaceFile {
  std::string path;  // relative to the store: "packs/ab/ab12…", "index/ab12….tsv"
  std::uint64_t size = 0;
};

class ChunkSpace {
 public:
  virtual ~ChunkSpace() = default;

  // For messages: the store itself ("" ) or one of its files, as a person finds it.
  virtual std::string where(const std::string& path = {}) const = 0;
  // A small file whole (config.json, key.age, an index file); nullopt when it does not exist.
  virtual std::optional<std::string> read(const std::string& path) const = 0;
  // Writes a small file whole and durably; a reader sees the old file or the new one, never a part.
  virtual void write(const std::string& path, std::string_view bytes) = 0;
  // `length` bytes at `offset` of a file into `out`; fewer only where the file ends. Throws
  // RepositoryError when it cannot be read.
  virtual void readRange(const std::string& path, std::uint64_t offset, std::uint64_t length,
                         std::string& out) const = 0;
  // Every file under `dir` ("index", "packs"), with its size, in path order.
  virtual std::vector<SpaceFile> list(const std::string& dir) const = 0;
  // Not an error when it is gone already.
  virtual void remove(const std::string& path) = 0;
  virtual std::unique_ptr<PackFile> newPack() = 0;
  // This host's directory for the store's lock and index cache (the store's own in a directory).
  virtual const std::filesystem::path& localDir() const = 0;
  // Removes what killed writers left outside the files list() shows (a bucket's pending uploads and
  // this host's spooled packs); returns how many. A directory's partial files are in list().
  virtual std::uint64_t removeUnfinished() { return 0; }
};

// The store in the directory `dir` (REPO/.chunks).
std::unique_ptr<ChunkSpace> localChunkSpace(std::filesystem::path dir);

// "packs/ab/ab12…" for pack "ab12…".
inline std::string packPath(const std::string& pack) {
  return "packs/" + pack.substr(0, 2) + "/" + pack;
}
inline std::string indexPath(const std::string& pack) {
  return "index/" + pack + ".tsv";
}

}  // namespace volumes::chunks
