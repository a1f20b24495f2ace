// The deduplicated store as every kind of repository has it: found or made in the repository's
// chunk space, chunked parts read through it, garbage collected and checked against the chunk lists
// of every backup the repository holds.
#include <map>

#include "volumes/repository.hpp"

namespace volumes {

std::optional<Repository::Staging::Chunks> Repository::Staging::chunks(const Encryption& encryption) {
  if (!writing_ || !store_->refusal(encryption).empty()) return std::nullopt;
  return Chunks{writing_->store(), store_->keys()};
}

chunks::RepositoryChunks* Repository::chunkStore() const {
  std::lock_guard lock(chunksMutex_);
  if (!chunksLooked_) {
    chunks_ = chunks::RepositoryChunks::open(chunkSpace());
    chunksLooked_ = true;
  }
  return chunks_.get();
}

void Repository::deduplicate(const Encryption* to, const std::vector<AgeRecipient>* recipients) {
  if (chunkStore()) return;
  std::lock_guard lock(chunksMutex_);
  chunks_ = chunks::RepositoryChunks::create(chunkSpace(), to, recipients);
  chunksLooked_ = true;
}

std::unique_ptr<chunks::RepositoryChunks::Writing> Repository::beginChunks() const {
  auto* store = chunkStore();
  return store ? store->beginWriting() : nullptr;
}

std::string Repository::chunksRefusal(const Encryption& encryption) const {
  auto* store = chunkStore();
  return store ? store->refusal(encryption) : std::string();
}

bool Repository::unlockChunks(const std::vector<AgeIdentity>& identities) const {
  auto* store = chunkStore();
  return !store || store->unlock(identities);
}

namespace {
// Each line's chunk name ("NAME SIZE"), read a piece at a time: a list of any length.
void chunkNames(StoredReader& list, const std::function<void(const std::string&)>& name) {
  std::string buffer;
  char input[64 * 1024];
  while (std::size_t got = list.read(input, sizeof input)) {
    buffer.append(input, got);
    std::size_t start = 0, eol;
    while ((eol = buffer.find('\n', start)) != std::string::npos) {
      std::string_view line(buffer.data() + start, eol - start);
      name(std::string(line.substr(0, line.find(' '))));
      start = eol + 1;
    }
    buffer.erase(0, start);
  }
  if (!buffer.empty()) name(buffer.substr(0, buffer.find(' ')));
}
}  // namespace

chunks::RepositoryChunks::Collected Repository::collectGarbage() {
  auto* store = chunkStore();
  if (!store) return {};
  return store->collectGarbage([&](const std::function<void(const std::string&)>& live) {
    forEachChunkList(
        [&](const std::string&, const std::string&, StoredReader& list) { chunkNames(list, live); });
  });
}

Repository::Checked Repository::check(bool repair) {
  auto* store = chunkStore();
  if (!store)
    throw RepositoryError(location() +
                          " keeps whole parts (no .chunks store): check verifies "
                          "deduplicated chunks; use verify for each backup");
  Checked result{store->check(repair), {}};
  std::map<std::string, std::map<std::string, int>> damaged;  // backup -> part -> chunks
  forEachChunkList([&](const std::string& backup, const std::string& part, StoredReader& list) {
    chunkNames(list, [&](const std::string& name) {
      if (result.store.lost.count(name) || !store->index().locate(name))
        ++damaged[backup][part.substr(0, part.size() - std::string(".chunks").size())];
    });
  });
  for (const auto& [backup, parts] : damaged) {
    std::string text = backup + ":";
    for (const auto& [part, n] : parts) text += " " + part + " (" + std::to_string(n) + " chunks)";
    result.damagedBackups.push_back(text);
  }
  return result;
}

std::unique_ptr<StoredReader> Repository::openPart(const std::string& project, const std::string& id,
                                                   const PartRecord& record) const {
  if (!record.chunked()) return openPart(project, id, record.name);
  auto* store = chunkStore();
  if (!store)
    throw RepositoryError("part " + record.name + " of backup " + id + " is kept as chunks, but " +
                          location() +
                          " has no chunk store (.chunks/config.json is missing): copy the backup with "
                          "docker agentchat copy from the repository it was made in");
  return store->openList(openPart(project, id, record.storedName()), record.sha256);
}

std::unique_ptr<StoredReader> Repository::openCompressed(const std::string& project, const std::string& id,
                                                         const PartRecord& record) const {
  if (!record.chunked() || !chunkStore()) return openPart(project, id, record);
  return chunkStore()->openList(openPart(project, id, record.storedName()), record.sha256, /*blobs=*/true);
}

}  // namespace volumes
