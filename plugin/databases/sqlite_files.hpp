#pragma once
// SQLite databases in a volume, found by their file header as the volume's tar stream passes (the
// stream itself is not changed, and the volume is not read a second time).
#include <string>
#include <string_view>
#include <vector>

#include "base/tar_walker.hpp"

namespace agentchat {

// The first 16 bytes of every SQLite 3 database file (https://sqlite.org/fileformat.html, 1.3).
inline constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};

// "-wal", "-shm", "-journal": the files SQLite keeps beside a database. They belong to it, and are
// never databases of their own even when they start with a page that looks like one.
const std::vector<std::string>& sqliteSidecarSuffixes();
bool isSqliteSidecar(const std::string& path);

// A volume archive's entry name as the manifest names the file: "./data/app.db" -> "data/app.db".
std::string volumeRelativePath(std::string tarName);

// Feed it a tar stream; it reports the regular files whose data starts with kSqliteHeader.
class SqliteScan {
 public:
  SqliteScan();
  SqliteScan(const SqliteScan&) = delete;  // the walker's handlers point at this scan
  SqliteScan& operator=(const SqliteScan&) = delete;
  void feed(std::string_view tar) { walker_.feed(tar); }
  const std::vector<base::TarEntry>& found() const { return found_; }

 private:
  base::TarWalker walker_;
  base::TarEntry current_;
  std::string head_;
  std::vector<base::TarEntry> found_;
};

}  // namespace agentchat
