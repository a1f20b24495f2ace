#pragma once
// A volume's first listed backup (no catalog to compare with): the lister only lists the facts of the
// files (`agentchat-lister facts`, spilled to a file by ListedFacts), then the part is read through
// the engine's archive, which streams faster than an exec; ArchiveCatalog pairs each file of the
// archive with its facts (both in walk order) and writes the catalog the next backup compares with.
// Facts taken before the content is read are never newer than it: a file that changes in between
// differs from its facts next time, and is read again (LISTING.md).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "volumes/deduplicated_part.hpp"
#include "volumes/listing/catalog_builder.hpp"
#include "volumes/listing/listed_volume.hpp"
#include "volumes/listing/lister_frames.hpp"

namespace volumes::listing {

// `agentchat-lister facts` frames into a facts file (the catalog's form, without chunks).
class ListedFacts {
 public:
  explicit ListedFacts(std::unique_ptr<StoredWriter> file);
  void feed(std::string_view bytes) { frames_.feed(bytes); }
  void finish();  // after the lister exited 0: its end frame seen; closes the file
  const ListingCounts& counts() const { return counts_; }

 private:
  std::unique_ptr<StoredWriter> file_;
  std::optional<CatalogWriter> writer_;
  ListerFrames frames_;
  ListingCounts counts_;
  bool ended_ = false;
};

class ArchiveCatalog {
 public:
  // `part` is the volume's part, written by its owner from the archive stream; `facts` the file
  // ListedFacts wrote; `catalog` receives the new catalog. Files starting with `marker` are flagged.
  ArchiveCatalog(DeduplicatedPart& part, std::unique_ptr<StoredReader> facts,
                 std::unique_ptr<StoredWriter> catalog, std::string marker);
  ArchiveCatalog(const ArchiveCatalog&) = delete;
  ArchiveCatalog& operator=(const ArchiveCatalog&) = delete;
  // After the part finished.
  std::string close() { return builder_.close(); }
  std::uint64_t size() const { return builder_.size(); }
  std::uint64_t entries() const { return builder_.entries(); }
  std::uint64_t unmatched() const { return unmatched_; }  // files not catalogued (read again next time)

 private:
  void starts(const base::TarEntry& entry, std::uint64_t start);
  void content(std::string_view bytes);
  CatalogReader facts_;
  CatalogBuilder builder_;
  std::optional<CatalogEntry> next_;
  std::string marker_, head_;
  std::uint64_t unmatched_ = 0;
};

}  // namespace volumes::listing
