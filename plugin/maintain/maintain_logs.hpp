#pragma once
// Log clean-up (README: `maintain`): log files older than N days (by mtime) below a service's x-agentchat
// logs paths — the same paths a backup's logs parts take — deleted inside the service's container,
// so a path on a volume, a bind mount or the container's own layer is reached alike.
#include <cstdint>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"

namespace agentchat {

struct LogFile {
  std::string path;
  std::uint64_t bytes = 0;
  std::int64_t mtime = 0;
  bool deleted = false;  // false in a dry run, or when the delete failed
  bool failed = false;
};

struct LogCleanup {
  std::string path;  // the configured log path
  bool ok = true;
  std::string error;  // why the path could not be cleaned (not a directory, a symlink, no find)
  std::vector<LogFile> files;
};

// Only regular files are touched: symlinks are neither followed nor removed, directories stay, and
// find stays on the path's own file system (-xdev) — nothing outside the log path is ever deleted.
// Files with an mtime before `cutoff` (seconds since the epoch) are listed, and deleted unless `dryRun`.
LogCleanup cleanLogPath(dockerapi::Engine& engine, const std::string& container, const std::string& path,
                        std::int64_t cutoff, bool dryRun);

// find's -printf records "D|F|L \t size \t mtime \t path \0" back to files.
std::vector<LogFile> parseFindRecords(const std::string& out);

}  // namespace agentchat
