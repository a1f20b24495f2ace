#include "plugin/databases/sqlite_files.hpp"

namespace agentchat {

namespace {

// SQLite's smallest page: a shorter file is no database (an empty file is one SQLite would create).
constexpr std::uint64_t kMinimumSize = 512;

}  // namespace

const std::vector<std::string>& sqliteSidecarSuffixes() {
  static const std::vector<std::string> suffixes{"-wal", "-shm", "-journal"};
  return suffixes;
}

bool isSqliteSidecar(const std::string& path) {
  for (const auto& suffix : sqliteSidecarSuffixes()) {
    if (path.ends_with(suffix)) return true;
  }
  return false;
}

std::string volumeRelativePath(std::string tarName) {
  while (tarName.rfind("./", 0) == 0) tarName.erase(0, 2);
  return tarName;
}

SqliteScan::SqliteScan()
    : walker_(
          [this](const base::TarEntry& entry) {
            head_.clear();
            current_ = entry;
            return entry.regular() && entry.size >= kMinimumSize && !isSqliteSidecar(entry.name);
          },
          [this](std::string_view data) {
            if (head_.size() >= kSqliteHeader.size()) return;
            head_.append(data.substr(0, kSqliteHeader.size() - head_.size()));
            if (head_ == kSqliteHeader) found_.push_back(current_);
          }) {}

}  // namespace agentchat
