#include "volumes/chunks/repository_chunks.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include <zstd.h>

#include "base/sha256.hpp"
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

RepositoryChunks::RepositoryChunks(fs::path dir, std::optional<Encryption> encryptedTo)
    : dir_(std::move(dir)), keys_(ChunkKeys::plain()), encryptedTo_(std::move(encryptedTo)) {}

RepositoryChunks::~RepositoryChunks() = default;

std::unique_ptr<RepositoryChunks> RepositoryChunks::open(const fs::path& root) {
  fs::path dir = root / ".chunks", config = dir / "config.json";
  std::ifstream in(config);
  if (!in) return nullptr;
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw RepositoryError(config.string() +
                          " is not JSON: the deduplicated store's settings are lost; write " +
                          configOf(nullptr).dump() +
                          " back into it (an encrypted store's also names \"key\" and \"encryptedTo\")");
  std::optional<Encryption> to;
  if (json.contains("encryptedTo")) {
    try {
      to.emplace();
      to->recipients = json.at("encryptedTo").at("recipients").get<std::vector<std::string>>();
      to->passphrase = json.at("encryptedTo").at("passphrase").get<bool>();
    } catch (const nlohmann::json::exception&) {
      throw RepositoryError(config.string() + ": \"encryptedTo\" is not {recipients, passphrase}");
    }
  }
  if (json != configOf(to ? &*to : nullptr))
    throw RepositoryError(config.string() + " describes chunks this version cannot read or write (" +
                          json.dump() + "): upgrade docker-agentchat");
  return std::unique_ptr<RepositoryChunks>(new RepositoryChunks(dir, std::move(to)));
}

std::unique_ptr<RepositoryChunks> RepositoryChunks::create(const fs::path& root, const Encryption* to,
                                                           const std::vector<AgeRecipient>* recipients) {
  if (auto existing = open(root)) return existing;
  fs::path dir = root / ".chunks";
  makePrivateDir(dir);
  // One maker at a time: two first backups racing must not each seal their chunks to a key of their own.
  int lockFd = ::open((dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lockFd < 0)
    throw RepositoryError("cannot open " + (dir / "lock").string() + ": " + std::strerror(errno));
  FdCloser lock{lockFd};
  if (::flock(lockFd, LOCK_EX) != 0)
    throw RepositoryError("cannot lock " + (dir / "lock").string() + ": " + std::strerror(errno));
  if (auto existing = open(root)) return existing;
  std::error_code ec;
  if (fs::exists(dir / "key.age", ec))
    throw RepositoryError(
        (dir / "key.age").string() +
        " exists but config.json does not: the repository key of an encrypted store is not "
        "replaced. Put config.json back (see volumes/chunks/FORMAT.md), or move key.age away "
        "if no backup uses this store");
  // The key first: config.json makes the store, and an encrypted store without its key is lost.
  std::optional<StoreKey> key;
  if (to) {
    key = generateStoreKey();
    writeStoreKey(dir / "key.age", *key, *recipients);
  }
  fs::path temp = dir / "config.json.partial";
  fs::remove(temp, ec);
  {
    PartFile file(temp);
    file.write(configOf(to).dump(2) + "\n");
    file.close();
  }
  fs::rename(temp, dir / "config.json", ec);
  if (ec) throw RepositoryError("cannot write " + (dir / "config.json").string() + ": " + ec.message());
  syncDir(dir);
  auto made = open(root);
  if (key) made->keys_ = ChunkKeys::encrypted(key->namingKey, key->identity);
  return made;
}

bool RepositoryChunks::unlock(const std::vector<AgeIdentity>& identities) {
  if (unlocked()) return true;
  if (identities.empty()) return false;
  triedKeys_ = true;
  auto key = readStoreKey(dir_ / "key.age", identities);
  if (!key) return false;
  auto keys = ChunkKeys::encrypted(key->namingKey, key->identity);
  // Anyone who can write the directory can seal a key of their own to public recipients: a key that
  // opens none of the chunks already stored is refused, so no backup seals its data to a stranger.
  if (!opensStoredChunks(keys))
    throw RepositoryError(
        (dir_ / "key.age").string() +
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
  for (const auto& file : listIndexFiles()) {
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line)) continue;
    auto entry = parseIndexLine(line);
    if (!entry || entry->at.length > largestBlob()) continue;
    std::ifstream pack(dir_ / "packs" / entry->at.pack.substr(0, 2) / entry->at.pack, std::ios::binary);
    blob.resize(entry->at.length);
    pack.seekg(static_cast<std::streamoff>(entry->at.offset));
    pack.read(blob.data(), static_cast<std::streamsize>(blob.size()));
    if (!pack) continue;
    if (decodeChunk(keys, blob, entry->at.size, entry->name, raw)) return true;
    if (++tried == 3) break;
  }
  return tried == 0;
}

void RepositoryChunks::requireUnlocked() const {
  if (unlocked()) return;
  if (triedKeys_)
    throw RepositoryError("none of the given keys opens " + (dir_ / "key.age").string() +
                          ", the key of this encrypted deduplicated store: give a key its backups are "
                          "encrypted to");
  throw RepositoryError("the deduplicated store " + dir_.string() +
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
  std::lock_guard lock(indexMutex_);
  if (!index_) {
    try {
      index_ = std::make_unique<ChunkIndex>(dir_ / "index.cache");
      index_->refresh(dir_ / "index");
    } catch (const ChunkIndexError& e) {
      throw RepositoryError(std::string(e.what()) + " (the cache can be deleted: it is read again from " +
                            (dir_ / "index").string() + ")");
    }
  }
  return *index_;
}

// The index files, in name order. Throws RepositoryError when the directory cannot be listed.
std::vector<fs::path> RepositoryChunks::listIndexFiles() const {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::path indexDir = dir_ / "index";
  if (fs::is_directory(indexDir, ec))
    for (const auto& file : fs::directory_iterator(indexDir, ec))
      if (file.path().extension() == ".tsv") files.push_back(file.path());
  if (ec) throw RepositoryError("cannot list " + indexDir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

int RepositoryChunks::openLock() const {
  fs::path path = dir_ / "lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw RepositoryError("cannot open " + path.string() + ": " + std::strerror(errno));
  return fd;
}

RepositoryChunks::Writing::Writing(RepositoryChunks& chunks, int lockFd)
    : lockFd_(lockFd), store_(chunks.dir(), chunks.index()) {}

RepositoryChunks::Writing::~Writing() {
  ::close(lockFd_);
}

std::unique_ptr<RepositoryChunks::Writing> RepositoryChunks::beginWriting() {
  int fd = openLock();
  if (::flock(fd, LOCK_SH) != 0) {
    int error = errno;
    ::close(fd);
    throw RepositoryError("cannot lock " + (dir_ / "lock").string() + ": " + std::strerror(error));
  }
  try {
    return std::make_unique<Writing>(*this, fd);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::unique_ptr<StoredReader> RepositoryChunks::openList(const fs::path& list, const std::string& listSha256,
                                                         bool blobs) {
  requireUnlocked();
  return std::make_unique<ChunkListReader>(list, dir_, index(), keys_, listSha256, blobs);
}

RepositoryChunks::Checked RepositoryChunks::check(bool repair) {
  requireUnlocked();
  FdCloser lock{openLock()};
  if (repair && ::flock(lock.fd, LOCK_EX | LOCK_NB) != 0)
    throw RepositoryError("a backup into " + dir_.parent_path().string() + " is running (it holds " +
                          (dir_ / "lock").string() + "): repair when it has ended");
  Checked result;
  std::error_code ec;
  fs::path indexDir = dir_ / "index";
  auto indexFiles = listIndexFiles();
  std::string pack, raw;
  PackWriter repacked(dir_ / "packs",
                      [this](const std::vector<IndexEntry>& entries) { writeIndexFile(dir_, entries); });
  std::vector<std::pair<fs::path, fs::path>> replaced;  // index file, pack
  for (const auto& file : indexFiles) {
    std::ifstream in(file);
    std::vector<IndexEntry> entries, sound;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto entry = parseIndexLine(line);
      if (!entry) {
        result.problems.push_back(file.string() + " line " + std::to_string(n) +
                                  ": not NAME PACK OFFSET LENGTH SIZE");
        continue;
      }
      entries.push_back(*entry);
    }
    if (entries.empty()) continue;
    const std::string& name = entries.front().at.pack;
    fs::path packFile = dir_ / "packs" / name.substr(0, 2) / name;
    ++result.packs;
    std::ifstream packIn(packFile, std::ios::binary);
    pack.assign(std::istreambuf_iterator<char>(packIn), std::istreambuf_iterator<char>());
    if (!packIn && !packIn.eof()) pack.clear();
    result.bytes += pack.size();
    bool nameMatches = base::sha256Hex(pack) == name;
    if (!fs::exists(packFile, ec)) {
      result.problems.push_back("pack " + packFile.string() + " is missing: its " +
                                std::to_string(entries.size()) + " chunks are lost");
    } else if (!nameMatches) {
      result.problems.push_back("pack " + packFile.string() + " does not match its name (its bytes changed)");
    }
    for (const auto& e : entries) {
      ++result.chunks;
      bool ok = e.at.pack == name && e.at.offset + e.at.length <= pack.size() && e.at.size <= (64u << 20);
      if (ok) {
        ok = decodeChunk(keys_, std::string_view(pack).substr(e.at.offset, e.at.length), e.at.size, e.name,
                         raw);
      }
      if (ok) {
        sound.push_back(e);
        continue;
      }
      result.lost.insert(e.name);
      if (fs::exists(packFile, ec))
        result.problems.push_back("chunk " + e.name + " at " + std::to_string(e.at.offset) + " of pack " +
                                  packFile.string() + " is damaged");
    }
    if (!repair || (sound.size() == entries.size() && nameMatches)) continue;
    // The sound chunks go into new packs; the old pack and its index file go once those are durable.
    for (const auto& e : sound)
      repacked.add(e.name, std::string_view(pack).substr(e.at.offset, e.at.length), e.at.size);
    replaced.emplace_back(file, packFile);
    result.repaired = true;
  }
  repacked.finish();
  for (const auto& [file, packFile] : replaced) deletePack(file, packFile);
  if (result.repaired) {
    syncDir(indexDir);
    index().clear();
    index().refresh(indexDir);
  }
  return result;
}

// The index file first: a pack no index names is never counted on, whatever happens next. Returns
// the pack's bytes.
std::uint64_t RepositoryChunks::deletePack(const fs::path& indexFile, const fs::path& packFile) {
  std::error_code ec;
  std::uint64_t size = fs::file_size(packFile, ec);
  if (ec) size = 0;
  fs::remove(indexFile, ec);
  if (ec) throw RepositoryError("cannot delete " + indexFile.string() + ": " + ec.message());
  fs::remove(packFile, ec);
  return size;
}

RepositoryChunks::Collected RepositoryChunks::collectGarbage(
    const std::function<void(const std::function<void(const fs::path&)>&)>& lists) {
  FdCloser lock{openLock()};
  if (::flock(lock.fd, LOCK_EX | LOCK_NB) != 0)
    throw RepositoryError("a backup into " + dir_.parent_path().string() + " is running (it holds " +
                          (dir_ / "lock").string() +
                          "): its chunks cannot be collected now; prune again when it has ended");
  NameSet live;
  lists([&](const fs::path& list) {
    std::ifstream in(list);
    if (!in) throw RepositoryError("cannot read the chunk list " + list.string() + ": nothing was deleted");
    std::string line;
    while (std::getline(in, line)) live.add(line.substr(0, line.find(' ')));
  });
  live.done();
  Collected result;
  std::error_code ec;
  fs::path indexDir = dir_ / "index";
  auto indexFiles = listIndexFiles();
  std::set<std::string> indexedPacks;
  // Packs mostly of chunks no backup names are rewritten with the live ones: a pack shared by an
  // expired backup and a kept one (a tar header, an unchanged file) would otherwise stay forever.
  PackWriter repacked(dir_ / "packs",
                      [this](const std::vector<IndexEntry>& entries) { writeIndexFile(dir_, entries); });
  std::vector<fs::path> replaced;  // index files whose live chunks went into `repacked`
  std::string blob;
  for (const auto& file : indexFiles) {
    std::ifstream in(file);
    std::string line, pack;
    std::vector<IndexEntry> liveEntries;
    std::uint64_t used = 0, unused = 0;
    while (std::getline(in, line)) {
      auto entry = parseIndexLine(line);
      if (!entry) throw RepositoryError(file.string() + ": a line that is not NAME PACK OFFSET LENGTH SIZE");
      pack = entry->at.pack;
      if (live.has(entry->name)) {
        used += entry->at.length;
        liveEntries.push_back(*entry);
      } else {
        unused += entry->at.length;
      }
    }
    if (pack.empty()) continue;
    indexedPacks.insert(pack);
    fs::path packFile = dir_ / "packs" / pack.substr(0, 2) / pack;
    if (used > 0 && used >= unused) {
      ++result.packsKept;
      result.bytesKept += used + unused;
      result.unreferencedBytesKept += unused;
      continue;
    }
    if (used > 0) {
      std::ifstream packIn(packFile, std::ios::binary);
      for (const auto& e : liveEntries) {
        blob.resize(e.at.length);
        packIn.seekg(static_cast<std::streamoff>(e.at.offset));
        packIn.read(blob.data(), static_cast<std::streamsize>(blob.size()));
        if (!packIn)
          throw RepositoryError("cannot read chunk " + e.name + " from " + packFile.string() +
                                " to rewrite the pack: nothing of it was deleted");
        repacked.add(e.name, blob, e.at.size);
      }
      replaced.push_back(file);
      continue;
    }
    result.bytesFreed += deletePack(file, packFile);
    ++result.packsDeleted;
  }
  // The rewritten packs and their index files are durable before the old ones go.
  repacked.finish();
  for (const auto& file : replaced) {
    std::string pack = file.stem().string();
    result.bytesFreed += deletePack(file, dir_ / "packs" / pack.substr(0, 2) / pack);
    ++result.packsDeleted;
  }
  // The new packs are in the index directory now: not orphans.
  for (const auto& file : fs::directory_iterator(indexDir, ec))
    if (file.path().extension() == ".tsv") indexedPacks.insert(file.path().stem().string());
  syncDir(indexDir);
  // Partial packs and index files, and packs sealed just before their index file was written, are
  // what killed backups left: no index names them.
  for (const auto& sub : {dir_ / "packs", indexDir}) {
    if (!fs::is_directory(sub, ec)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(sub, ec)) {
      std::string name = entry.path().filename().string();
      bool orphanPack = sub == dir_ / "packs" && entry.is_regular_file(ec) && name.size() == 64 &&
                        indexedPacks.count(name) == 0;
      if (name.rfind("partial-", 0) != 0 && !orphanPack) continue;
      std::uint64_t size = entry.is_regular_file(ec) ? entry.file_size(ec) : 0;
      if (fs::remove(entry.path(), ec)) result.bytesFreed += size;
    }
  }
  index().clear();
  index().refresh(indexDir);
  return result;
}

}  // namespace volumes::chunks
