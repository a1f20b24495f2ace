#include "volumes/chunks/chunk_index.hpp"

#include <sqlite3.h>

#include <set>
#include <sstream>

namespace volumes::chunks {

namespace fs = std::filesystem;

std::string indexLine(const IndexEntry& e) {
  return e.name + " " + e.at.pack + " " + std::to_string(e.at.offset) + " " + std::to_string(e.at.length) +
         " " + std::to_string(e.at.size);
}

std::optional<IndexEntry> parseIndexLine(const std::string& line) {
  std::istringstream in(line);
  IndexEntry e;
  std::string rest;
  if (!(in >> e.name >> e.at.pack >> e.at.offset >> e.at.length >> e.at.size) || (in >> rest))
    return std::nullopt;
  auto hex = [](const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
  };
  if (!hex(e.name) || !hex(e.at.pack)) return std::nullopt;
  // A damaged line must not make a reader compute a range past 2^64 or allocate without bound.
  if (e.at.length > (1ull << 32) || e.at.size > (1ull << 32) || e.at.offset > (1ull << 48))
    return std::nullopt;
  return e;
}

struct ChunkIndex::Db {
  sqlite3* handle = nullptr;
  std::string where;
  ~Db() { sqlite3_close(handle); }

  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(handle, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      throw ChunkIndexError("chunk index cache " + where + ": " + text);
    }
  }
  // A prepared statement for one call, finalised whatever happens.
  struct Statement {
    sqlite3_stmt* s = nullptr;
    Statement(Db& db, const char* sql) {
      if (sqlite3_prepare_v2(db.handle, sql, -1, &s, nullptr) != SQLITE_OK)
        throw ChunkIndexError("chunk index cache " + db.where + ": " + sqlite3_errmsg(db.handle));
    }
    ~Statement() { sqlite3_finalize(s); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
  };
};

ChunkIndex::ChunkIndex(const fs::path& cacheFile) : db_(std::make_unique<Db>()) {
  db_->where = cacheFile.string();
  if (sqlite3_open_v2(cacheFile.c_str(), &db_->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK)
    throw ChunkIndexError("cannot open the chunk index cache " + db_->where + ": " +
                          (db_->handle ? sqlite3_errmsg(db_->handle) : "out of memory"));
  // Backups of other projects of the repository may use the cache at the same time.
  sqlite3_busy_timeout(db_->handle, 60000);
  // A few MiB of page cache whatever the repository's size; the cache is rebuilt if lost, so it
  // need not survive a power cut.
  db_->exec(
      "PRAGMA cache_size = -4096; PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
      "CREATE TABLE IF NOT EXISTS chunks (name TEXT PRIMARY KEY, pack TEXT NOT NULL, offset INTEGER NOT NULL,"
      " length INTEGER NOT NULL, size INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS read_files (file TEXT PRIMARY KEY) WITHOUT ROWID;");
}

ChunkIndex::~ChunkIndex() = default;

void ChunkIndex::insert(const std::vector<IndexEntry>& entries, const std::string& file) {
  db_->exec("BEGIN");
  try {
    if (!file.empty()) {
      Db::Statement mark(*db_, "INSERT OR IGNORE INTO read_files VALUES (?)");
      sqlite3_bind_text(mark.s, 1, file.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(mark.s) != SQLITE_DONE)
        throw ChunkIndexError("chunk index cache " + db_->where + ": " + sqlite3_errmsg(db_->handle));
    }
    Db::Statement st(*db_, "INSERT OR IGNORE INTO chunks VALUES (?, ?, ?, ?, ?)");
    for (const auto& e : entries) {
      sqlite3_reset(st.s);
      sqlite3_bind_text(st.s, 1, e.name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st.s, 2, e.at.pack.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st.s, 3, static_cast<sqlite3_int64>(e.at.offset));
      sqlite3_bind_int64(st.s, 4, static_cast<sqlite3_int64>(e.at.length));
      sqlite3_bind_int64(st.s, 5, static_cast<sqlite3_int64>(e.at.size));
      if (sqlite3_step(st.s) != SQLITE_DONE)
        throw ChunkIndexError("chunk index cache " + db_->where + ": " + sqlite3_errmsg(db_->handle));
    }
  } catch (...) {
    db_->exec("ROLLBACK");
    throw;
  }
  db_->exec("COMMIT");
}

std::vector<std::string> indexFiles(const ChunkSpace& space) {
  std::vector<std::string> files;
  for (const auto& file : space.list("index")) {
    std::string name = file.path.substr(file.path.rfind('/') + 1);
    if (file.path == "index/" + name && name.size() > 4 && name.compare(name.size() - 4, 4, ".tsv") == 0 &&
        name.rfind("partial-", 0) != 0)
      files.push_back(file.path);
  }
  return files;
}

std::size_t ChunkIndex::refresh(const ChunkSpace& space, bool again) {
  std::set<std::string> files;
  for (const auto& path : indexFiles(space)) files.insert(path.substr(path.rfind('/') + 1));
  bool stale = false;
  {
    Db::Statement known(*db_, "SELECT file FROM read_files");
    while (!stale && sqlite3_step(known.s) == SQLITE_ROW)
      stale = files.count(reinterpret_cast<const char*>(sqlite3_column_text(known.s, 0))) == 0;
  }
  if (stale) clear();
  std::size_t read = 0;
  for (const auto& name : files) {
    {
      Db::Statement seen(*db_, "SELECT 1 FROM read_files WHERE file = ?");
      sqlite3_bind_text(seen.s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(seen.s) == SQLITE_ROW) continue;
    }
    auto text = space.read("index/" + name);
    if (!text) {  // deleted since the listing (a prune elsewhere): what it named is gone with it
      if (again)
        throw ChunkIndexError("index file " + space.where("index/" + name) +
                              " was listed and then missing, twice: is a prune running on another host?");
      clear();
      return refresh(space, true);
    }
    std::istringstream in(*text);
    std::vector<IndexEntry> entries;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      auto e = parseIndexLine(line);
      if (!e)
        throw ChunkIndexError("index file " + space.where("index/" + name) + " line " + std::to_string(n) +
                              ": not NAME PACK OFFSET LENGTH SIZE");
      entries.push_back(*e);
      if (entries.size() == 10000) {  // bounded memory for index files of any size
        insert(entries);
        entries.clear();
      }
    }
    insert(entries);
    Db::Statement mark(*db_, "INSERT INTO read_files VALUES (?)");
    sqlite3_bind_text(mark.s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(mark.s) != SQLITE_DONE)
      throw ChunkIndexError("chunk index cache " + db_->where + ": " + sqlite3_errmsg(db_->handle));
    ++read;
  }
  return read;
}

std::optional<BlobLocation> ChunkIndex::locate(const std::string& name) {
  Db::Statement st(*db_, "SELECT pack, offset, length, size FROM chunks WHERE name = ?");
  sqlite3_bind_text(st.s, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_ROW) return std::nullopt;
  BlobLocation at;
  at.pack = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
  at.offset = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 1));
  at.length = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 2));
  at.size = static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 3));
  return at;
}

bool ChunkIndex::contains(const std::string& name) {
  return locate(name).has_value();
}

void ChunkIndex::clear() {
  db_->exec("DELETE FROM chunks; DELETE FROM read_files;");
}

std::uint64_t ChunkIndex::size() {
  Db::Statement st(*db_, "SELECT count(*) FROM chunks");
  sqlite3_step(st.s);
  return static_cast<std::uint64_t>(sqlite3_column_int64(st.s, 0));
}

}  // namespace volumes::chunks
