#include "plugin/repository_location.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace agentchat {

namespace fs = std::filesystem;

fs::path repositoryPath(const Session& session, const compose::Stack& stack) {
  fs::path base = stack.workingDir;
  if (session.options().repository) return fs::absolute(*session.options().repository);
  if (auto it = session.environ().find("AGENTCHAT_REPO");
      it != session.environ().end() && !it->second.empty()) {
    return fs::absolute(it->second);
  }
  if (stack.settings.repository) {
    fs::path configured(*stack.settings.repository);
    return configured.is_absolute() ? configured : (base / configured).lexically_normal();
  }
  return base / "backups";
}

namespace {
// "20261124T020000Z" -> seconds since the epoch, or nullopt.
std::optional<std::time_t> parseId(const std::string& id) {
  std::tm tm{};
  if (id.size() != 16 || id[8] != 'T' || id[15] != 'Z') return std::nullopt;
  if (::strptime(id.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return std::nullopt;
  return ::timegm(&tm);
}
}  // namespace

std::vector<BackupEntry> completeBackups(const fs::path& repository, const std::string& project) {
  std::vector<BackupEntry> out;
  std::error_code ec;
  fs::path dir = repository / project;
  if (!fs::is_directory(dir, ec)) return out;
  auto now = std::time(nullptr);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string id = entry.path().filename().string();
    auto time = parseId(id);
    if (!time || !fs::exists(entry.path() / "manifest.json", ec)) continue;
    out.push_back({id, static_cast<double>(now - *time) / 3600.0});
  }
  std::sort(out.begin(), out.end(), [](const BackupEntry& a, const BackupEntry& b) { return a.id > b.id; });
  return out;
}

std::string resolveBackupId(const volumes::Repository& repository, const std::string& project,
                            const std::string& which) {
  auto ids = repository.list(project);
  if (ids.empty()) {
    throw BackupNotFound("no complete backup of project " + project + " in " + repository.root().string() +
                         ": run docker agentchat backup first");
  }
  if (which == "latest") return ids.front();
  for (const auto& id : ids) {
    if (id == which) return id;
  }
  throw BackupNotFound("no complete backup " + which + " of project " + project + " (newest: " + ids.front() +
                       "; see docker agentchat list)");
}

}  // namespace agentchat
