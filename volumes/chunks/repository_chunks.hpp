#pragma once
// A repository's deduplicated store, REPO/.chunks/ or PREFIX/.chunks/ in a bucket (a dot: no
// compose project can be named so): config.json, packs/, index/, and on this host the index cache
// and the lock that keeps a prune's garbage collection away from running backups. See FORMAT.md.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "volumes/chunks/chunk_index.hpp"
#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/chunks/chunk_space.hpp"
#include "volumes/chunks/chunk_store.hpp"
#include "volumes/manifest.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes::chunks {

class RepositoryChunks {
 public:
  // Null unless the space holds config.json; throws RepositoryError for a config this version
  // cannot use.
  static std::unique_ptr<RepositoryChunks> open(std::unique_ptr<ChunkSpace> space);
  // Makes the store (config.json) unless it exists, and opens it. With `to`, an encrypted store: a
  // fresh repository key, sealed to `recipients` (whom `to` names) in key.age, and the store unlocked.
  static std::unique_ptr<RepositoryChunks> create(std::unique_ptr<ChunkSpace> space,
                                                  const Encryption* to = nullptr,
                                                  const std::vector<AgeRecipient>* recipients = nullptr);
  ~RepositoryChunks();

  ChunkSpace& space() const { return *space_; }
  const ChunkKeys& keys() const { return keys_; }

  // Whom the repository key is sealed to; nullopt for a plain store.
  const std::optional<Encryption>& encryptedTo() const { return encryptedTo_; }
  bool unlocked() const { return !encryptedTo_ || keys_.seals(); }
  // Opens key.age with any of `identities`: false when none of them opens it. Throws
  // RepositoryError when the key file is missing or damaged, or holds a key that opens none of the
  // chunks already stored (a replaced key.age).
  bool unlock(const std::vector<AgeIdentity>& identities);
  // Why a backup encrypted as `encryption` keeps its parts as whole files instead (empty: it may
  // use the store). A backup's chunks are sealed to the repository key, so only backups encrypted
  // exactly as the store (same recipients, or the passphrase that opened it) go into it.
  std::string refusal(const Encryption& encryption) const;
  ChunkIndex& index();

  // What one backup writes chunks through. It holds the store's lock shared until it is destroyed
  // (after the backup's manifest is written), so a garbage collection never takes a chunk from
  // under a backup that counts on it.
  class Writing {
   public:
    Writing(RepositoryChunks& chunks, int lockFd);
    ~Writing();
    Writing(const Writing&) = delete;
    Writing& operator=(const Writing&) = delete;
    ChunkStore& store() { return store_; }

   private:
    int lockFd_;
    ChunkStore store_;
  };
  // Waits while a garbage collection runs.
  std::unique_ptr<Writing> beginWriting();

  // A chunked part read back from its chunk `list`; `listSha256` is checked when the list has been
  // read. `blobs`: the checked blobs back to back (a .zst of the part) instead of its raw bytes.
  std::unique_ptr<StoredReader> openList(std::unique_ptr<StoredReader> list, const std::string& listSha256,
                                         bool blobs = false);

  struct Collected {
    std::uint64_t packsDeleted = 0, bytesFreed = 0;
    std::uint64_t packsKept = 0, bytesKept = 0, unreferencedBytesKept = 0;
  };
  struct Checked {
    std::uint64_t packs = 0, chunks = 0, bytes = 0;
    std::vector<std::string> problems;  // for a person: what is wrong and where
    std::set<std::string> lost;         // chunks an index file names, missing or damaged in their pack
    bool repaired = false;
  };
  // Reads every pack whole: its sha256 against its name, and every blob its index file lists
  // decompressed and checked against its name. With `repair` (the lock held exclusively), index
  // files stop listing the chunks that are lost, so the next backup stores them again where their
  // data still exists; the backups that name them stay damaged and are reported by verify.
  Checked check(bool repair);

  // Deletes the packs none of whose chunks any backup names (`live` calls its argument with the name
  // of every chunk every chunk list of the repository names), with their index files, and rewrites
  // those that are mostly such chunks. Takes the lock exclusively and throws RepositoryError at
  // once when a backup holds it.
  using ChunkNames = std::function<void(const std::function<void(const std::string&)>&)>;
  Collected collectGarbage(const ChunkNames& live);

 private:
  RepositoryChunks(std::unique_ptr<ChunkSpace> space, std::optional<Encryption> encryptedTo);
  ChunkIndex& cachedIndex();  // without reading new index files when it is opened
  ChunkIndex& index(bool refreshNew);
  void requireUnlocked() const;
  bool opensStoredChunks(const ChunkKeys& keys) const;
  int openLock() const;
  std::string lockPath() const;
  std::unique_ptr<ChunkSpace> space_;
  ChunkKeys keys_;
  std::optional<Encryption> encryptedTo_;
  bool triedKeys_ = false;  // unlock() was given keys: for the message when none opened it
  std::mutex indexMutex_;
  std::unique_ptr<ChunkIndex> index_;
};

}  // namespace volumes::chunks
