#include "volumes/part_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "base/sha256.hpp"
#include "base/tar_walker.hpp"
#include "volumes/tar_guard.hpp"

namespace volumes {

namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What the decompressed content must look like, by the part's file name.
class ContentCheck {
 public:
  ContentCheck(const std::string& name, bool guardPaths) {
    if (endsWith(name, ".tar.zst")) {
      tar_ = std::make_unique<base::TarWalker>(
          [this, guardPaths](const base::TarEntry& entry) {
            if (guardPaths) guard_.check(entry);
            return false;
          },
          [](std::string_view) {});
    } else if (endsWith(name, ".sql.zst")) {
      kind_ = Kind::Sql;
    } else if (endsWith(name, ".rdb.zst")) {
      kind_ = Kind::Rdb;
    } else if (endsWith(name, ".pgdump.zst")) {
      kind_ = Kind::PgDump;
    } else if (endsWith(name, ".pgsql.zst")) {
      kind_ = Kind::PgSql;
    }
  }
  void feed(std::string_view raw) {
    if (tar_) tar_->feed(raw);
    if (head_.size() < 9) head_.append(raw.substr(0, 9 - head_.size()));
    tail_.append(raw);
    if (tail_.size() > 256) tail_.erase(0, tail_.size() - 256);
  }
  std::string finish() {
    if (tar_) {
      tar_->finish();
      if (!tar_->ended()) return "tar: no end-of-archive marker (truncated archive)";
    }
    if (kind_ == Kind::Sql && tail_.find("-- Dump completed") == std::string::npos)
      return "the SQL dump lacks its closing \"-- Dump completed\" line (truncated dump)";
    if (kind_ == Kind::Rdb && head_.rfind("REDIS", 0) != 0) return "not an RDB file (no REDIS magic)";
    if (kind_ == Kind::PgDump && head_.rfind("PGDMP", 0) != 0)
      return "not a pg_dump archive (no PGDMP magic)";
    if (kind_ == Kind::PgSql && tail_.find("PostgreSQL database cluster dump complete") == std::string::npos)
      return "the roles script lacks pg_dumpall's closing line (truncated)";
    return {};
  }

 private:
  enum class Kind { Other, Sql, Rdb, PgDump, PgSql } kind_ = Kind::Other;
  std::unique_ptr<base::TarWalker> tar_;
  TarGuard guard_;
  std::string head_, tail_;
};

}  // namespace

PartCheck checkPart(const fs::path& file, const PartRecord& record, bool guardPaths, const PartKeys* keys) {
  std::unique_ptr<StoredReader> stored;
  try {
    stored = openStoredFile(file);
  } catch (const RepositoryError&) {
    return {false, "missing or unreadable: " + file.string()};
  }
  return checkPart(*stored, record, guardPaths, keys);
}

PartCheck checkPart(const BackupRef& backup, const PartRecord& record, bool guardPaths,
                    const PartKeys* keys) {
  std::unique_ptr<StoredReader> stored;
  try {
    stored = backup.open(record);
  } catch (const RepositoryError& e) {
    return {false, std::string("missing or unreadable: ") + e.what()};
  }
  return checkPart(*stored, record, guardPaths, keys);
}

PartCheck checkPart(StoredReader& stored, const PartRecord& record, bool guardPaths, const PartKeys* keys) {
  base::Sha256 hash;
  ContentCheck content(record.contentName(), guardPaths);
  // An encrypted part without keys: what can be proven is that the stored bytes are the ones written.
  bool storedOnly = record.encrypted() && (keys == nullptr || keys->empty());
  std::optional<PartDecoder> decoder;
  if (!storedOnly) decoder.emplace(record, keys, [&](std::string_view raw) { content.feed(raw); });
  std::uint64_t size = 0;
  std::vector<char> buffer(1 << 20);
  // The stored bytes against the manifest: the first thing to report when both are off.
  // A chunked part's reader checks its chunk list's sha256 and every chunk's bytes itself.
  auto storedProblem = [&]() -> std::string {
    if (record.chunked()) return {};
    if (size != record.size)
      return "size " + std::to_string(size) + " != " + std::to_string(record.size) + " in the manifest";
    if (hash.hexDigest() != record.sha256) return "sha256 mismatch: the stored bytes changed";
    return {};
  };
  try {
    std::size_t got;
    while ((got = stored.read(buffer.data(), buffer.size())) > 0) {
      std::string_view chunk(buffer.data(), got);
      hash.update(chunk);
      size += chunk.size();
      if (decoder) decoder->write(chunk);
    }
    if (decoder) decoder->finish();
  } catch (const RepositoryError& e) {
    return {false, std::string("read error: ") + e.what()};
  } catch (const std::exception& e) {
    // Keep hashing what is left, so a changed byte reports as a digest mismatch first.
    try {
      std::size_t got;
      while ((got = stored.read(buffer.data(), buffer.size())) > 0) {
        hash.update(std::string_view(buffer.data(), got));
        size += got;
      }
    } catch (const RepositoryError& readError) {
      return {false, std::string("read error: ") + readError.what()};
    }
    std::string problem = storedProblem();
    if (problem.empty() && dynamic_cast<const PartKeyError*>(&e) != nullptr) return {false, e.what()};
    return {false, problem.empty() ? std::string("content: ") + e.what() : problem};
  }
  if (std::string problem = storedProblem(); !problem.empty()) return {false, problem};
  if (storedOnly) return {true, {}, false};
  if (decoder->rawBytes() != record.rawSize) {
    return {false, "decompresses to " + std::to_string(decoder->rawBytes()) + " bytes, the manifest says " +
                       std::to_string(record.rawSize)};
  }
  try {
    std::string problem = content.finish();
    if (!problem.empty()) return {false, problem};
  } catch (const std::exception& e) {
    return {false, std::string("content: ") + e.what()};
  }
  return {true, {}};
}

}  // namespace volumes
