#pragma once
// The next catalog, written as a part's chunks come back from its writer: each file's line waits for
// the chunks of its content (a range of the raw stream) and for its facts, and lines leave in order.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "volumes/chunks/chunked_part.hpp"
#include "volumes/listing/catalog.hpp"

namespace volumes::listing {

class CatalogBuilder {
 public:
  explicit CatalogBuilder(std::unique_ptr<StoredWriter> file) : file_(std::move(file)) {}
  // Once, before anything else: the listing's time heads the catalog.
  void start(std::int64_t listedAt) { writer_.emplace(std::move(file_), listedAt); }
  // A file whose content is raw bytes [start, start + size) of the part; `facts` may come later,
  // through facts(). A file that is not to be catalogued still takes its place (keep false).
  void file(std::uint64_t start, std::uint64_t size, std::optional<CatalogEntry> facts, bool keep = true);
  // The facts of the last file; chunks it has already are kept.
  void facts(CatalogEntry facts);
  void flag(char flag);  // on the last file
  // Every chunk of the part, in stream order.
  void chunk(const chunks::ChunkRef& ref);
  // After the part's writer finished: every file's line written; returns the catalog's sha256.
  std::string close();
  std::uint64_t size() const { return writer_ ? writer_->size() : 0; }
  std::uint64_t entries() const { return writer_ ? writer_->entries() : 0; }

 private:
  struct Pending {
    std::uint64_t start = 0, end = 0, have = 0;
    CatalogEntry entry;
    bool facts = false, keep = true;
  };
  void settle();
  std::unique_ptr<StoredWriter> file_;
  std::optional<CatalogWriter> writer_;
  std::deque<Pending> pending_;
  std::uint64_t at_ = 0;  // raw offset of the next chunk
};

}  // namespace volumes::listing
