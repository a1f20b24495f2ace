#include "volumes/listing/archive_catalog.hpp"

#include <sys/stat.h>

namespace volumes::listing {

ListedFacts::ListedFacts(std::unique_ptr<StoredWriter> file)
    : file_(std::move(file)), frames_([this](char tag, std::string_view payload) {
        if (ended_) throw ListingError("the lister sent frames after its end");
        if (!writer_) {
          counts_.listedAt = listerHello(tag, payload);
          writer_.emplace(std::move(file_), counts_.listedAt);
          return;
        }
        if (tag == 'E') {
          writer_->addFacts(parseCatalogLine(payload, false));
          ++counts_.entries;
        } else if (tag == 'W') {
          counts_.warn(payload);
        } else if (tag == 'Z') {
          ended_ = true;
        } else {
          throw ListingError(std::string("the lister sent an unexpected frame '") + tag +
                             "' while listing facts");
        }
      }) {}

void ListedFacts::finish() {
  frames_.finish();
  if (!ended_) throw ListingError("the lister's stream ended before its end frame");
  writer_->close();
}

ArchiveCatalog::ArchiveCatalog(DeduplicatedPart& part, std::unique_ptr<StoredReader> facts,
                               std::unique_ptr<StoredWriter> catalog, std::string marker)
    : facts_(std::move(facts)), builder_(std::move(catalog)), marker_(std::move(marker)) {
  builder_.start(facts_.listedAt());
  next_ = facts_.next(false);
  part.onChunk([this](const chunks::ChunkRef& ref) { builder_.chunk(ref); });
  part.onFile([this](const base::TarEntry& entry, std::uint64_t start) { starts(entry, start); },
              [this](std::string_view bytes) { content(bytes); });
}

void ArchiveCatalog::starts(const base::TarEntry& entry, std::uint64_t start) {
  std::string path = entry.name.rfind("./", 0) == 0 ? entry.name.substr(2) : entry.name;
  while (next_ && compareWalkOrder(next_->path, path) < 0) next_ = facts_.next(false);
  // Only a file the facts describe as the archive has it: the same size, one name, read whole.
  bool match = next_ && next_->path == path && next_->size == entry.size && S_ISREG(next_->mode) &&
               next_->flags.find_first_of("uh") == std::string::npos;
  if (!match) ++unmatched_;
  builder_.file(start, entry.size, match ? next_ : std::nullopt, match);
  head_.clear();
}

void ArchiveCatalog::content(std::string_view bytes) {
  if (head_.size() >= marker_.size() || marker_.empty()) return;
  head_.append(bytes.substr(0, marker_.size() - head_.size()));
  if (head_ == marker_) builder_.flag('s');
}

}  // namespace volumes::listing
