#pragma once
// A copy of a SQLite database checked with the SQLite library on this host: what the backup keeps
// and what verify --deep opens again. SQLite opens paths, not streams, so the copy is a file in a
// private directory (base::PrivateDir): the one place the plugin stages data on disk.
#include <filesystem>
#include <string>

namespace agentchat {

struct SqliteIntegrity {
  bool ok = false;
  std::string problem;  // SQLite's words: "database disk image is malformed", integrity_check's first line
};

// Opens `file` read-write, so SQLite replays a -wal beside it or rolls back a hot -journal (a copy
// taken mid-transaction comes back to its last commit), checkpoints the WAL into the file and
// truncates it (the file alone is then the whole database), and runs PRAGMA integrity_check.
// Never throws for a bad file: it says what is wrong.
SqliteIntegrity checkSqliteCopy(const std::filesystem::path& file);

}  // namespace agentchat
