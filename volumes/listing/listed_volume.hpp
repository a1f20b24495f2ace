#pragma once
// A volume part assembled from the lister's frames (lister/, LISTING.md) instead of the engine's
// archive stream: the tar stream is rebuilt from the headers the lister sends, with the content of
// files it read, and for the files it found unchanged the previous backup's chunks, which are never
// fetched again. The chunk cuts are those of a streamed tar (volumes/chunks/tar_chunking.hpp), and
// the next catalog is written beside the part.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/tar_walker.hpp"
#include "volumes/deduplicated_part.hpp"
#include "volumes/listing/catalog_builder.hpp"
#include "volumes/listing/lister_frames.hpp"

namespace volumes::listing {

struct ListingCounts {
  std::int64_t listedAt = 0;  // the lister's clock when it started, in ns
  std::uint64_t entries = 0, read = 0, readBytes = 0, reused = 0, reusedBytes = 0, unstable = 0, dropped = 0;
  std::vector<std::string> warnings;  // the first few of them
  std::uint64_t warningCount = 0;
  void warn(std::string_view warning);
};

// What a volume's backup asks of the listing, per entry.
struct ListingHooks {
  std::function<bool(const base::TarEntry&)> keep;  // false leaves the entry out (excludes)
  std::string marker;                               // files whose content starts with it are reported
  std::function<void(const base::TarEntry&)> marked;
};

class ListedVolume {
 public:
  // `previous` is the last backup's catalog of this volume, if any (its sha256 already checked);
  // `catalog` receives the new one.
  ListedVolume(DeduplicatedPart& part, CatalogReader* previous, std::unique_ptr<StoredWriter> catalog,
               ListingHooks hooks);
  ListedVolume(const ListedVolume&) = delete;
  ListedVolume& operator=(const ListedVolume&) = delete;

  // The lister's stdout, as it arrives.
  void feed(std::string_view bytes) { frames_.feed(bytes); }
  // After the lister exited 0: its end frame seen, the tar stream ended. The part is then finished
  // by its owner, and then close() writes the catalog's last lines and returns its sha256.
  void finish();
  std::string close() { return catalog_.close(); }
  const ListingCounts& counts() const { return counts_; }
  std::uint64_t catalogSize() const { return catalog_.size(); }

 private:
  void frame(char tag, std::string_view payload);
  void header(std::string_view bytes);
  void content(std::string_view bytes);
  void reuse(std::uint64_t index);
  void facts(std::string_view line);
  void endContent();

  DeduplicatedPart& part_;
  CatalogReader* previous_;
  CatalogBuilder catalog_;
  ListingHooks hooks_;
  ListerFrames frames_;
  ListingCounts counts_;
  bool started_ = false, ended_ = false;
  // The entry being received.
  std::optional<base::TarEntry> entry_;
  bool kept_ = false, withContent_ = false, reused_ = false, marked_ = false;
  std::uint64_t contentLeft_ = 0;
  std::string head_;  // its first bytes, for the marker
};

}  // namespace volumes::listing
