#include "volumes/chunks/repository_chunks.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include <zstd.h>

#include "base/sha256.hpp"
#include "volumes/chunks/chunk_list_reader.hpp"
#include "volumes/chunks/store_key.hpp"
#include "volumes/part_file.hpp"
#include "volumes/repository.hpp"
#include "volumes/temporary_database.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

namespace {

// Closes the store's lock file (and so releases the lock) at the end of a scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

// The cut points and blob encoding are part of the format: a store made with others is refused
// rather than silently never deduplicating.
nlohmann::json configOf(const Encryption* to) {
  ChunkLimits limits;
  nlohmann::json config = {{"version", 1},
                           {"chunker",
                            {{"algorithm", "fastcdc-gear-v1"},
                             {"min", limits.min},
                             {"average", limits.average},
                             {"max", limits.max}}},
                           {"names", "sha256"},
                           {"blobs", "zstd-frame"},
                           {"packs", "packs/XX/SHA256"},
                           {"index", "index/PACK.tsv: NAME PACK OFFSET LENGTH SIZE"}};
  if (to) {
    config["names"] = "hmac-sha256";
    config["blobs"] = "zstd-frame-age";
    config["key"] = "key.age";
    config["encryptedTo"] = {{"recipients", to->recipients}, {"passphrase", to->passphrase}};
  }
  return config;
}

bool sameEncryption(Encryption a, Encryption b) {
  std::sort(a.recipients.begin(), a.recipients.end());
  std::sort(b.recipients.begin(), b.recipients.end());
  return a.recipients == b.recipients && a.passphrase == b.passphrase;
}

// The names of the live chunks, on disk: a repository's chunk lists can name more chunks than
// should sit in memory.
class NameSet {
 public:
  NameSet() : db_("the live chunks", "CREATE TABLE live (name TEXT PRIMARY KEY) WITHOUT ROWID") {}
  void add(const std::string& name) { db_.run("INSERT OR IGNORE INTO live VALUES (?)", {name}); }
  bool has(const std::string& name) { return db_.run("SELECT 1 FROM live WHERE name = ?", {name}); }
  void done() { db_.exec("COMMIT"); }

 private:
  TemporaryDatabase<RepositoryError> db_;
};

}  // namespace

RepositoryChunks::RepositoryChunks(std::unique_ptr<ChunkSpace> space, std::optional<Encryption> encryptedTo)
    : space_(std::move(space)), keys_(ChunkKeys::plain()), encryptedTo_(std::move(encryptedTo)) {}

RepositoryChunks::~RepositoryChunks() = default;

std::unique_ptr<RepositoryChunks> RepositoryChunks::open(std::unique_ptr<ChunkSpace> space) {
  auto text = space->read("config.json");
  if (!text) return nullptr;
  std::string config = space->where("config.json");
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw RepositoryError(config + " is not JSON: the deduplicated store's settings are lost; write " +
                          configOf(nullptr).dump() +
                          " back into it (an encrypted store's also names \"key\" and \"encryptedTo\")");
  std::optional<Encryption> to;
  if (json.contains("encryptedTo")) {
    try {
      to.emplace();
      to->recipients = json.at("encryptedTo").at("recipients").get<std::vector<std::string>>();
      to->passphrase = json.at("encryptedTo").at("passphrase").get<bool>();
    } catch (const nlohmann::json::exception&) {
      throw RepositoryError(config + ": \"encryptedTo\" is not {recipients, passphrase}");
    }
  }
  if (json != configOf(to ? &*to : nullptr))
    throw RepositoryError(config + " describes chunks this version cannot read or write (" + json.dump() +
                          "): upgrade docker-agentchat");
  return std::unique_ptr<RepositoryChunks>(new RepositoryChunks(std::move(space), std::move(to)));
}

std::unique_ptr<RepositoryChunks> RepositoryChunks::create(std::unique_ptr<ChunkSpace> space,
                                                           const Encryption* to,
                                                           const std::vector<AgeRecipient>* recipients) {
  std::unique_ptr<RepositoryChunks> made(new RepositoryChunks(std::move(space), std::nullopt));
  ChunkSpace& where = made->space();
  if (where.read("config.json")) return open(std::move(made->space_));
  makePrivateDir(where.localDir());
  // One maker at a time: two first backups racing must not each seal their chunks to a key of their
  // own (on this host: a bucket has one writing host, see README).
  FdCloser lock{made->openLock()};
  if (::flock(lock.fd, LOCK_EX) != 0)
    throw RepositoryError("cannot lock " + made->lockPath() + ": " + std::strerror(errno));
  if (where.read("config.json")) return open(std::move(made->space_));
  if (where.read("key.age"))
    throw RepositoryError(
        where.where("key.age") +
        " exists but config.json does not: the repository key of an encrypted store is not "
        "replaced. Put config.json back (see volumes/chunks/FORMAT.md), or move key.age away "
        "if no backup uses this store");
  // The key first: config.json makes the store, and an encrypted store without its key is lost.
  std::optional<StoreKey> key;
  if (to) {
    key = generateStoreKey();
    where.write("key.age", sealStoreKey(*key, *recipients));
  }
  where.write("config.json", configOf(to).dump(2) + "\n");
  auto opened = open(std::move(made->space_));
  if (key) opened->keys_ = ChunkKeys::encrypted(key->namingKey, key->identity);
  return opened;
}

bool RepositoryChunks::unlock(const std::vector<AgeIdentity>& identities) {
  if (unlocked()) return true;
  if (identities.empty()) return false;
  triedKeys_ = true;
  auto key = readStoreKey(space_->read("key.age"), space_->where("key.age"), identities);
  if (!key) return false;
  auto keys = ChunkKeys::encrypted(key->namingKey, key->identity);
  // Anyone who can write the directory can seal a key of their own to public recipients: a key that
  // opens none of the chunks already stored is refused, so no backup seals its data to a stranger.
  if (!opensStoredChunks(keys))
    throw RepositoryError(
        space_->where("key.age") +
        " opens, but the key in it opens none of the chunks stored here: it was replaced, or "
        "those chunks are damaged (docker agentchat check with the key tells which). Nothing "
        "is written with it");
  keys_ = std::move(keys);
  return true;
}

// The first chunk of up to three index files, opened and checked against its name; true when one
// is, or when the store holds none yet.
bool RepositoryChunks::opensStoredChunks(const ChunkKeys& keys) const {
  int tried = 0;
  std::string blob, raw;
  for (const auto& file : indexFiles(*space_)) {
    auto text = space_->read(file);
    if (!text) continue;
    auto entry = parseIndexLine(text->substr(0, text->find('\n')));
    if (!entry || entry->at.length > largestBlob()) continue;
    try {
      space_->readRange(packPath(entry->at.pack), entry->at.offset, entry->at.length, blob);
    } catch (const RepositoryError&) {
      continue;
    }
    if (blob.size() != entry->at.length) continue;
    if (decodeChunk(keys, blob, entry->at.size, entry->name, raw)) return true;
    if (++tried == 3) break;
  }
  return tried == 0;
}

void RepositoryChunks::requireUnlocked() const {
  if (unlocked()) return;
  if (triedKeys_)
    throw RepositoryError("none of the given keys opens " + space_->where("key.age") +
                          ", the key of this encrypted deduplicated store: give a key its backups are "
                          "encrypted to");
  throw RepositoryError("the deduplicated store " + space_->where() +
                        " is encrypted: give its key with --identity FILE or --passphrase-file FILE "
                        "(a key the backups are encrypted to)");
}

std::string RepositoryChunks::refusal(const Encryption& encryption) const {
  if (!encryptedTo_) {
    return encryption.on() ? "the repository's deduplicated store is not encrypted, so an encrypted "
                             "backup keeps its parts as whole age files"
                           : "";
  }
  if (!encryption.on())
    return "the repository's deduplicated store is encrypted, and this backup is not: its parts are kept as "
           "whole files";
  if (!sameEncryption(encryption, *encryptedTo_))
    return "the repository's deduplicated store is encrypted to other keys than this backup (its key.age "
           "opens only for those), so this backup keeps its parts as whole age files";
  if (!unlocked())
    return "the repository's deduplicated store is encrypted and its key was not opened (give --identity "
           "FILE with a key the store is encrypted to, or the store's passphrase): this backup keeps its "
           "parts as whole age files";
  return "";
}

ChunkIndex& RepositoryChunks::index() {
  return index(true);
}

// A ChunkStore refreshes the cache itself: a second listing of the index files (a LIST in a
// bucket) would tell it nothing new.
ChunkIndex& RepositoryChunks::cachedIndex() {
  return index(false);
}

ChunkIndex& RepositoryChunks::index(bool refreshNew) {
  std::lock_guard lock(indexMutex_);
  if (!index_) {
    try {
      makePrivateDir(space_->localDir());
      index_ = std::make_unique<ChunkIndex>(space_->localDir() / "index.cache");
      if (refreshNew) index_->refresh(*space_);
    } catch (const ChunkIndexError& e) {
      throw RepositoryError(std::string(e.what()) + " (the cache can be deleted: it is read again from " +
                            space_->where("index") + ")");
    }
  }
  return *index_;
}

std::string RepositoryChunks::lockPath() const {
  return (space_->localDir() / "lock").string();
}

int RepositoryChunks::openLock() const {
  makePrivateDir(space_->localDir());
  int fd = ::open(lockPath().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw RepositoryError("cannot open " + lockPath() + ": " + std::strerror(errno));
  return fd;
}

RepositoryChunks::Writing::Writing(RepositoryChunks& chunks, int lockFd)
    : lockFd_(lockFd), store_(chunks.space(), chunks.cachedIndex()) {}

RepositoryChunks::Writing::~Writing() {
  ::close(lockFd_);
}

std::unique_ptr<RepositoryChunks::Writing> RepositoryChunks::beginWriting() {
  int fd = openLock();
  if (::flock(fd, LOCK_SH) != 0) {
    int error = errno;
    ::close(fd);
    throw RepositoryError("cannot lock " + lockPath() + ": " + std::strerror(error));
  }
  try {
    return std::make_unique<Writing>(*this, fd);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::unique_ptr<StoredReader> RepositoryChunks::openList(std::unique_ptr<StoredReader> list,
                                                         const std::string& listSha256, bool blobs) {
  requireUnlocked();
  return std::make_unique<ChunkListReader>(std::move(list), *space_, index(), keys_, listSha256, blobs);
}

namespace {
// Every index file's lines; a damaged line goes to `bad` with its number.
std::vector<IndexEntry> indexEntries(const std::string& text, const std::function<void(int)>& bad) {
  std::vector<IndexEntry> entries;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (auto entry = parseIndexLine(line)) {
      entries.push_back(*entry);
    } else {
      bad(n);
    }
  }
  return entries;
}

std::map<std::string, std::uint64_t> packSizes(const ChunkSpace& space) {
  std::map<std::string, std::uint64_t> sizes;
  for (const auto& file : space.list("packs")) {
    std::string name = file.path.substr(file.path.rfind('/') + 1);
    if (name.size() == 64) sizes[name] = file.size;
  }
  return sizes;
}
}  // namespace

RepositoryChunks::Checked RepositoryChunks::check(bool repair) {
  requireUnlocked();
  FdCloser lock{openLock()};
  if (repair && ::flock(lock.fd, LOCK_EX | LOCK_NB) != 0)
    throw RepositoryError("a backup into " + space_->where() + " is running (it holds " + lockPath() +
                          "): repair when it has ended");
  Checked result;
  auto sizes = packSizes(*space_);
  std::string pack, raw;
  std::set<std::string> written;  // the packs `repacked` wrote: never deleted below, whatever their name
  PackWriter repacked(*space_, [&](const std::vector<IndexEntry>& entries) {
    written.insert(entries.front().at.pack);
    writeIndexFile(*space_, entries);
  });
  std::vector<std::pair<std::string, std::string>> replaced;  // index file, pack
  for (const auto& file : indexFiles(*space_)) {
    auto text = space_->read(file);
    if (!text) continue;
    auto entries = indexEntries(*text, [&](int n) {
      result.problems.push_back(space_->where(file) + " line " + std::to_string(n) +
                                ": not NAME PACK OFFSET LENGTH SIZE");
    });
    if (entries.empty()) continue;
    // The pack the file is named for: an entry naming another pack is damage, never a reason to
    // touch that pack.
    const std::string name = file.substr(6, file.size() - 6 - 4);
    std::string packFile = space_->where(packPath(name));
    ++result.packs;
    auto size = sizes.find(name);
    bool present = size != sizes.end();
    pack.clear();
    if (present) space_->readRange(packPath(name), 0, size->second, pack);
    result.bytes += pack.size();
    bool nameMatches = base::sha256Hex(pack) == name;
    if (!present) {
      result.problems.push_back("pack " + packFile + " is missing: its " + std::to_string(entries.size()) +
                                " chunks are lost");
    } else if (!nameMatches) {
      result.problems.push_back("pack " + packFile + " does not match its name (its bytes changed)");
    }
    std::vector<IndexEntry> sound;
    for (const auto& e : entries) {
      ++result.chunks;
      bool ok = e.at.pack == name && e.at.offset + e.at.length <= pack.size() && e.at.size <= kLargestChunk;
      if (ok) {
        ok = decodeChunk(keys_, std::string_view(pack).substr(e.at.offset, e.at.length), e.at.size, e.name,
                         raw);
      }
      if (ok) {
        sound.push_back(e);
        continue;
      }
      result.lost.insert(e.name);
      if (present)
        result.problems.push_back("chunk " + e.name + " at " + std::to_string(e.at.offset) + " of pack " +
                                  packFile + " is damaged");
    }
    if (!repair || (sound.size() == entries.size() && nameMatches)) continue;
    // The sound chunks go into new packs; the old pack and its index file go once those are durable.
    for (const auto& e : sound)
      repacked.add(e.name, std::string_view(pack).substr(e.at.offset, e.at.length), e.at.size);
    replaced.emplace_back(file, name);
    result.repaired = true;
  }
  repacked.finish();
  for (const auto& [file, pack] : replaced) {
    // Sound chunks in their old order make the old bytes again, under the old name: that one stays.
    if (written.count(pack)) continue;
    // The index file first: a pack no index names is never counted on, whatever happens next.
    space_->remove(file);
    space_->remove(packPath(pack));
  }
  if (result.repaired) {
    index().clear();
    index().refresh(*space_);
  }
  return result;
}

RepositoryChunks::Collected RepositoryChunks::collectGarbage(const ChunkNames& liveChunks) {
  FdCloser lock{openLock()};
  if (::flock(lock.fd, LOCK_EX | LOCK_NB) != 0)
    throw RepositoryError("a backup into " + space_->where() + " is running (it holds " + lockPath() +
                          "): its chunks cannot be collected now; prune again when it has ended");
  NameSet live;
  liveChunks([&](const std::string& name) { live.add(name); });
  live.done();
  Collected result;
  auto sizes = packSizes(*space_);
  std::set<std::string> indexedPacks;
  // Packs mostly of chunks no backup names are rewritten with the live ones: a pack shared by an
  // expired backup and a kept one (a tar header, an unchanged file) would otherwise stay forever.
  std::set<std::string> moved, written;  // chunks copied into `repacked`, and the packs it wrote
  PackWriter repacked(*space_, [&](const std::vector<IndexEntry>& entries) {
    indexedPacks.insert(entries.front().at.pack);
    written.insert(entries.front().at.pack);
    writeIndexFile(*space_, entries);
  });
  std::vector<std::pair<std::string, std::string>> gone;  // index file, pack: once `repacked` is durable
  std::string blob;
  for (const auto& file : indexFiles(*space_)) {
    auto text = space_->read(file);
    if (!text) continue;
    std::vector<IndexEntry> liveEntries;
    std::uint64_t used = 0, unused = 0;
    std::string pack;
    for (const auto& entry : indexEntries(*text, [&](int) {
           throw RepositoryError(space_->where(file) + ": a line that is not NAME PACK OFFSET LENGTH SIZE");
         })) {
      pack = entry.at.pack;
      // Only the pack the file is named for is ever deleted with it.
      if (file != indexPath(pack))
        throw RepositoryError(space_->where(file) + " names pack " + pack +
                              ", not its own: the index is damaged (check --repair); nothing was deleted");
      if (live.has(entry.name)) {
        used += entry.at.length;
        liveEntries.push_back(entry);
      } else {
        unused += entry.at.length;
      }
    }
    if (pack.empty()) continue;
    indexedPacks.insert(pack);
    if (used > 0 && used >= unused) {
      ++result.packsKept;
      result.bytesKept += used + unused;
      result.unreferencedBytesKept += unused;
      continue;
    }
    // The pack read once (16 MiB at most: one GET in a bucket), its live blobs copied.
    space_->readRange(packPath(pack), 0, sizes.count(pack) ? sizes[pack] : 0, blob);
    for (const auto& e : liveEntries) {
      if (e.at.offset > blob.size() || e.at.length > blob.size() - e.at.offset)
        throw RepositoryError("cannot read chunk " + e.name + " from " + space_->where(packPath(pack)) +
                              " to rewrite the pack: nothing of it was deleted");
      if (moved.insert(e.name).second)
        repacked.add(e.name, std::string_view(blob).substr(e.at.offset, e.at.length), e.at.size);
    }
    gone.emplace_back(file, pack);
  }
  // The rewritten packs and their index files are durable before the old ones go; the index file
  // first: a pack no index names is never counted on, whatever happens next.
  repacked.finish();
  for (const auto& [file, pack] : gone) {
    if (written.count(pack)) continue;
    space_->remove(file);
    space_->remove(packPath(pack));
    result.bytesFreed += sizes.count(pack) ? sizes[pack] : 0;
    ++result.packsDeleted;
    indexedPacks.erase(pack);
  }
  // Partial packs and index files, and packs sealed just before their index file was written, are
  // what killed backups left: no index names them. (A bucket's packs are filled on this host and
  // put whole: its leftovers are pending uploads and spool files, removeUnfinished().)
  for (const auto& dir : {"packs", "index"}) {
    for (const auto& file : space_->list(dir)) {
      std::string name = file.path.substr(file.path.rfind('/') + 1);
      bool orphanPack = std::string(dir) == "packs" && name.size() == 64 && indexedPacks.count(name) == 0;
      if (name.rfind("partial-", 0) != 0 && !orphanPack) continue;
      space_->remove(file.path);
      result.bytesFreed += file.size;
    }
  }
  space_->removeUnfinished();
  index().clear();
  index().refresh(*space_);
  return result;
}

}  // namespace volumes::chunks
