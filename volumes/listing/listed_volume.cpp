#include "volumes/listing/listed_volume.hpp"

#include <algorithm>
#include <cstring>

namespace volumes::listing {

namespace {

constexpr std::size_t kFrameLimit = 4 << 20;  // the lister's content frames are 1 MiB
constexpr std::int64_t kRacyNs = 1000000000;  // as the lister's: see LISTING.md
constexpr std::size_t kWarningsKept = 5;
constexpr std::size_t kBlock = 512;

std::string pathOf(const std::string& tarName) {
  std::string path = tarName.rfind("./", 0) == 0 ? tarName.substr(2) : tarName;
  if (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

ListedVolume::ListedVolume(DeduplicatedPart& part, CatalogReader* previous,
                           std::unique_ptr<StoredWriter> catalog, Hooks hooks)
    : part_(part), previous_(previous), catalogFile_(std::move(catalog)), hooks_(std::move(hooks)) {
  part_.cutByCaller();
  part_.onChunk([this](const chunks::ChunkRef& ref) { chunk(ref); });
}

void ListedVolume::feed(std::string_view bytes) {
  buffer_.append(bytes);
  std::size_t at = 0;
  while (buffer_.size() - at >= 5) {
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + at);
    std::size_t length =
        (std::size_t{p[1]} << 24) | (std::size_t{p[2]} << 16) | (std::size_t{p[3]} << 8) | p[4];
    if (length > kFrameLimit)
      throw ListingError("the lister sent a frame of " + std::to_string(length) + " bytes");
    if (buffer_.size() - at < 5 + length) break;
    frame(static_cast<char>(p[0]), std::string_view(buffer_).substr(at + 5, length));
    at += 5 + length;
  }
  buffer_.erase(0, at);
}

void ListedVolume::frame(char tag, std::string_view payload) {
  if (ended_) throw ListingError("the lister sent frames after its end");
  if (!started_) {
    auto space = payload.rfind(' ');
    if (tag != 'V' || payload.substr(0, space) != "agentchat-lister 1")
      throw ListingError("the lister speaks another protocol: '" + std::string(payload.substr(0, 40)) + "'");
    counts_.listedAt = std::stoll(std::string(payload.substr(space + 1)));
    catalog_.emplace(std::move(catalogFile_), counts_.listedAt);
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
      if (counts_.warnings.size() < kWarningsKept) counts_.warnings.emplace_back(payload);
      ++counts_.warningCount;
      return;
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
  std::optional<base::TarEntry> parsed;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        if (parsed) throw ListingError("the lister sent two headers in one frame");
        parsed = e;
        return false;
      },
      [](std::string_view) {});
  walker.feed(bytes);
  if (!parsed || parsed->name.rfind("./", 0) != 0)
    throw ListingError("the lister sent a header without an entry or outside ./");
  entry_ = parsed;
  ++counts_.entries;
  withContent_ = parsed->regular() && parsed->size > 0;
  contentLeft_ = withContent_ ? parsed->size : 0;
  reused_ = false;
  head_.clear();
  flags_.clear();
  kept_ = !hooks_.keep || hooks_.keep(*parsed);
  if (!kept_) {
    ++counts_.dropped;
    return;
  }
  part_.write(bytes);
  if (!withContent_) return;
  part_.boundary();  // the content starts a chunk
  Pending pending;
  pending.start = part_.rawBytes();
  pending.end = pending.start + parsed->size;
  pending.entry.path = pathOf(parsed->name);
  pending_.push_back(std::move(pending));
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
      found->flags.find('u') != std::string::npos || found->ctime >= previous_->listedAt() - kRacyNs)
    throw ListingError("the lister reused " + entry_->name + ", which the catalog does not allow");
  reused_ = true;
  if (kept_) {
    for (const auto& [name, size] : found->chunks) {
      if (!part_.reuse(name, size))
        throw ListingError("chunk " + name + " of " + entry_->name + " is not in the store any more");
    }
  }
  if (found->flags.find('s') != std::string::npos) flags_ += 's';
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
    if (!hooks_.marker.empty() && head_ == hooks_.marker) flags_ += 's';
  }
  if (!kept_) return;
  part_.boundary();  // and ends one: the padding goes with the next header
  part_.write(std::string((kBlock - entry_->size % kBlock) % kBlock, '\0'));
  if (flags_.find('s') != std::string::npos && hooks_.marked) hooks_.marked(*entry_);
}

void ListedVolume::facts(std::string_view line) {
  if (!entry_) throw ListingError("the lister sent facts without an entry");
  if (contentLeft_ > 0) throw ListingError("the lister's content of " + entry_->name + " ended early");
  auto facts = parseCatalogLine(line, false);
  if (facts.path != pathOf(entry_->name))
    throw ListingError("the lister's facts name " + facts.path + ", not " + entry_->name);
  if (facts.flags.find('u') != std::string::npos) ++counts_.unstable;
  if (kept_ && withContent_) {
    auto& pending = pending_.back();
    auto chunks = std::move(pending.entry.chunks);
    pending.entry = std::move(facts);
    pending.entry.chunks = std::move(chunks);
    pending.entry.flags = (pending.entry.flags.find('u') != std::string::npos ? "u" : "") + flags_;
    pending.facts = true;
    settle();
  }
  entry_.reset();
}

void ListedVolume::chunk(const chunks::ChunkRef& ref) {
  std::uint64_t at = refsAt_;
  refsAt_ += ref.size;
  for (auto& pending : pending_) {
    if (pending.end <= at) continue;  // all its chunks are in
    if (at < pending.start) return;   // a chunk of headers and padding
    if (at + ref.size > pending.end) throw ListingError("a chunk straddles the end of " + pending.entry.path);
    pending.entry.chunks.emplace_back(ref.name, ref.size);
    settle();
    return;
  }
}

void ListedVolume::settle() {
  while (!pending_.empty()) {
    auto& front = pending_.front();
    std::uint64_t have = 0;
    for (const auto& chunk : front.entry.chunks) have += chunk.second;
    if (!front.facts || have != front.end - front.start) return;
    catalog_->add(front.entry);
    pending_.pop_front();
  }
}

void ListedVolume::finish() {
  if (!ended_) throw ListingError("the lister's stream ended before its end frame");
  if (!buffer_.empty()) throw ListingError("the lister's stream ended inside a frame");
  part_.write(std::string(2 * kBlock, '\0'));  // end of archive
}

std::string ListedVolume::close() {
  if (!pending_.empty())
    throw ListingError("the catalog misses the chunks of " + pending_.front().entry.path);
  return catalog_->close();
}

}  // namespace volumes::listing
