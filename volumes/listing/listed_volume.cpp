#include "volumes/listing/listed_volume.hpp"

#include <algorithm>
#include <cstring>

namespace volumes::listing {

namespace {

constexpr std::int64_t kRacyNs = 1000000000;  // as the lister's: see LISTING.md
constexpr std::size_t kWarningsKept = 5;
constexpr std::size_t kBlock = 512;

std::string pathOf(const std::string& tarName) {
  std::string path = tarName.rfind("./", 0) == 0 ? tarName.substr(2) : tarName;
  if (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

void ListingCounts::warn(std::string_view warning) {
  if (warnings.size() < kWarningsKept) warnings.emplace_back(warning);
  ++warningCount;
}

ListedVolume::ListedVolume(DeduplicatedPart& part, CatalogReader* previous,
                           std::unique_ptr<StoredWriter> catalog, ListingHooks hooks)
    : part_(part),
      previous_(previous),
      catalog_(std::move(catalog)),
      hooks_(std::move(hooks)),
      frames_([this](char tag, std::string_view payload) { frame(tag, payload); }) {
  part_.cutByCaller();
  part_.onChunk([this](const chunks::ChunkRef& ref) { catalog_.chunk(ref); });
}

void ListedVolume::frame(char tag, std::string_view payload) {
  if (ended_) throw ListingError("the lister sent frames after its end");
  if (!started_) {
    counts_.listedAt = listerHello(tag, payload);
    catalog_.start(counts_.listedAt);
    started_ = true;
    return;
  }
  switch (tag) {
    case 'H':
      return header(payload);
    case 'D':
      return content(payload);
    case 'R': {
      if (payload.size() != 8) throw ListingError("the lister sent a bad reuse frame");
      std::uint64_t index = 0;
      for (unsigned char c : payload) index = (index << 8) | c;
      return reuse(index);
    }
    case 'E':
      return facts(payload);
    case 'W':
      return counts_.warn(payload);
    case 'Z':
      if (entry_) throw ListingError("the lister ended inside " + entry_->name);
      ended_ = true;
      return;
    default:
      throw ListingError(std::string("the lister sent an unknown frame '") + tag + "'");
  }
}

void ListedVolume::header(std::string_view bytes) {
  if (entry_) throw ListingError("the lister sent a header inside " + entry_->name);
  if (bytes.empty() || bytes.size() % kBlock != 0) throw ListingError("the lister sent a torn header");
  // One entry's headers and nothing else: its last block is the entry's own header, so nothing the
  // lister sends can put a second entry, or an end-of-archive marker, into the stream unseen.
  std::optional<base::TarEntry> parsed;
  base::TarWalker walker([&](const base::TarEntry& e) { return parsed = e, false; }, [](std::string_view) {});
  try {
    for (std::size_t at = 0; at < bytes.size(); at += kBlock) {
      if (parsed) throw ListingError("the lister sent bytes after an entry's header");
      walker.feed(bytes.substr(at, kBlock));
    }
  } catch (const base::TarError& e) {
    throw ListingError(std::string("the lister sent a bad header: ") + e.what());
  }
  if (!parsed || walker.ended() || parsed->name.rfind("./", 0) != 0)
    throw ListingError("the lister sent a header without an entry or outside ./");
  entry_ = parsed;
  ++counts_.entries;
  withContent_ = parsed->regular() && parsed->size > 0;
  contentLeft_ = withContent_ ? parsed->size : 0;
  reused_ = false;
  head_.clear();
  marked_ = false;
  kept_ = !hooks_.keep || hooks_.keep(*parsed);
  if (!kept_) {
    ++counts_.dropped;
    return;
  }
  part_.write(bytes);
  if (!withContent_) return;
  part_.boundary();  // the content starts a chunk
  catalog_.file(part_.rawBytes(), parsed->size, std::nullopt);
}

void ListedVolume::content(std::string_view bytes) {
  if (!entry_ || reused_ || bytes.size() > contentLeft_)
    throw ListingError("the lister sent content beyond " +
                       (entry_ ? entry_->name : std::string("any entry")));
  if (kept_) {
    part_.write(bytes);
    if (head_.size() < hooks_.marker.size())
      head_.append(bytes.substr(0, hooks_.marker.size() - head_.size()));
  }
  contentLeft_ -= bytes.size();
  if (contentLeft_ == 0) endContent();
}

void ListedVolume::reuse(std::uint64_t index) {
  if (!entry_ || !withContent_ || contentLeft_ != entry_->size || !previous_)
    throw ListingError("the lister reused a file out of place");
  std::optional<CatalogEntry> found;
  while (!found) {
    if (previous_->index() > index) throw ListingError("the lister reused catalog entries out of order");
    std::uint64_t at = previous_->index();
    auto next = previous_->next();
    if (!next) throw ListingError("the lister reused an entry the catalog does not have");
    if (at == index) found = std::move(next);
  }
  std::uint64_t sum = 0;
  for (const auto& chunk : found->chunks) sum += chunk.second;
  // The lister decided; what it reuses must still be the same file by every fact we can check here.
  if (found->path != pathOf(entry_->name) || found->size != entry_->size || sum != found->size ||
      found->flags.find_first_of("uh") != std::string::npos ||
      found->ctime >= previous_->listedAt() - kRacyNs)
    throw ListingError("the lister reused " + entry_->name + ", which the catalog does not allow");
  reused_ = true;
  if (kept_) {
    for (const auto& [name, size] : found->chunks) {
      if (!part_.reuse(name, size))
        throw ListingError("chunk " + name + " of " + entry_->name + " is not in the store any more");
    }
  }
  marked_ = found->flags.find('s') != std::string::npos;
  contentLeft_ = 0;
  endContent();
}

void ListedVolume::endContent() {
  if (reused_) {
    ++counts_.reused;
    counts_.reusedBytes += entry_->size;
  } else {
    ++counts_.read;
    counts_.readBytes += entry_->size;
    marked_ = !hooks_.marker.empty() && head_ == hooks_.marker;
  }
  if (!kept_) return;
  if (marked_) {
    catalog_.flag('s');
    if (hooks_.marked) hooks_.marked(*entry_);
  }
  part_.boundary();  // and ends one: the padding goes with the next header
  part_.write(std::string((kBlock - entry_->size % kBlock) % kBlock, '\0'));
}

void ListedVolume::facts(std::string_view line) {
  if (!entry_) throw ListingError("the lister sent facts without an entry");
  if (contentLeft_ > 0) throw ListingError("the lister's content of " + entry_->name + " ended early");
  auto facts = parseCatalogLine(line, false);
  if (facts.path != pathOf(entry_->name))
    throw ListingError("the lister's facts name " + facts.path + ", not " + entry_->name);
  if (facts.flags.find('u') != std::string::npos) ++counts_.unstable;
  if (kept_ && withContent_) {
    std::string flags;  // of the lister's, those that stay with the file
    for (char f : facts.flags)
      if (f == 'u' || f == 'h') flags += f;
    facts.flags = flags;
    catalog_.facts(std::move(facts));
  }
  entry_.reset();
}

void ListedVolume::finish() {
  frames_.finish();
  if (!ended_) throw ListingError("the lister's stream ended before its end frame");
  part_.write(std::string(2 * kBlock, '\0'));  // end of archive
}

}  // namespace volumes::listing
