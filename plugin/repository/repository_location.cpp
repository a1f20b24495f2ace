#include "plugin/repository/repository_location.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <spdlog/spdlog.h>

#include "volumes/local_repository.hpp"
#include "volumes/s3_repository.hpp"

namespace agentchat {

namespace fs = std::filesystem;

bool isS3Location(const std::string& location) {
  return location.rfind("s3://", 0) == 0;
}

std::string absoluteLocation(const std::string& location) {
  return isS3Location(location) ? location : fs::absolute(location).string();
}

std::string repositoryLocation(const Session& session, const compose::Stack& stack) {
  fs::path base = stack.workingDir;
  if (session.options().repository) return absoluteLocation(*session.options().repository);
  if (auto it = session.environ().find("AGENTCHAT_REPO");
      it != session.environ().end() && !it->second.empty()) {
    return absoluteLocation(it->second);
  }
  if (stack.settings.repository) {
    const std::string& configured = *stack.settings.repository;
    if (isS3Location(configured) || fs::path(configured).is_absolute()) return configured;
    return (base / configured).lexically_normal().string();
  }
  return (base / "backups").string();
}

std::unique_ptr<volumes::Repository> openRepository(const std::string& location,
                                                    const dockerapi::Environ& environ) {
  if (isS3Location(location)) return volumes::openS3Repository(location, environ);
  return std::make_unique<volumes::LocalRepository>(location);
}

std::unique_ptr<volumes::Repository> openRepository(const Session& session, const compose::Stack& stack) {
  return openRepository(repositoryLocation(session, stack), session.environ());
}

void startDeduplicating(volumes::Repository& repository, const std::vector<volumes::AgeRecipient>& recipients,
                        const volumes::Encryption& encryption) {
  if (encryption.on())
    repository.deduplicate(&encryption, &recipients);
  else
    repository.deduplicate();
}

bool storeByDefault(const volumes::Repository& repository, const volumes::Encryption& encryption,
                    bool identityGiven) {
  if (repository.chunkStore() != nullptr || repository.holdsBackups()) return false;
  if (!encryption.passphrase && !encryption.recipients.empty() && !identityGiven) {
    spdlog::info(
        "{} is a new repository; it keeps whole age files: a deduplicated store for backups encrypted "
        "to public keys needs --identity at every backup (--dedup --identity FILE makes one)",
        repository.location());
    return false;
  }
  spdlog::info(
      "{} is a new repository: its backups are kept as deduplicated chunks (--no-dedup keeps "
      "whole parts)",
      repository.location());
  return true;
}

std::optional<std::time_t> backupTime(const std::string& id) {
  std::tm tm{};
  if (id.size() != 16 || id[8] != 'T' || id[15] != 'Z') return std::nullopt;
  if (::strptime(id.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) return std::nullopt;
  return ::timegm(&tm);
}

std::vector<BackupEntry> completeBackups(const volumes::Repository& repository, const std::string& project) {
  std::vector<BackupEntry> out;
  auto now = std::time(nullptr);
  for (const auto& id : repository.list(project)) {
    if (auto time = backupTime(id)) out.push_back({id, static_cast<double>(now - *time) / 3600.0});
  }
  return out;
}

std::string resolveBackupId(const volumes::Repository& repository, const std::string& project,
                            const std::string& which) {
  auto ids = repository.list(project);
  if (ids.empty()) {
    throw BackupNotFound("no complete backup of project " + project + " in " + repository.location() +
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
