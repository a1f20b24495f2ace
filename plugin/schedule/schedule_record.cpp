#include "plugin/schedule/schedule_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

namespace agentchat {

namespace fs = std::filesystem;

fs::path lastRunPath(const volumes::Repository& repository, const std::string& project) {
  // The journal lives in the project's state directory on this host: local, whatever the repository.
  return repository.journalPath(project).parent_path() / "schedule-last.json";
}

void writePrivateFile(const fs::path& path, const std::string& text, unsigned mode) {
  fs::path temporary = path.string() + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd >= 0) ::fchmod(fd, mode);  // whatever the umask
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  if (fd >= 0) ::close(fd);
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(temporary.c_str());
    throw volumes::RepositoryError("cannot write " + path.string() + ": " + std::strerror(saved),
                                   saved == ENOSPC);
  }
}

void recordLastRun(const fs::path& path, const nlohmann::json& outcome) {
  volumes::makePrivateDir(path.parent_path());
  writePrivateFile(path, outcome.dump(2) + "\n");
}

std::optional<nlohmann::json> readLastRun(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

std::optional<Check> scheduledRunCheck(const std::optional<nlohmann::json>& lastRun, std::int64_t now) {
  if (!lastRun) return std::nullopt;
  const auto& run = *lastRun;
  std::string when = run.value("time", "?");
  int code = run.value("exitCode", -1);
  if (code != 0) {
    return Check{"scheduled run", Severity::Critical,
                 "failed at " + when + ": " + run.value("command", "backup") + " exit " +
                     std::to_string(code) + ": " + run.value("message", "")};
  }
  double hours = static_cast<double>(now - run.value("unixTime", now)) / 3600.0;
  char age[32];
  std::snprintf(age, sizeof age, "%.1f h ago", hours);
  return Check{"scheduled run", hours > 26 ? Severity::Warning : Severity::Ok,
               std::string("ok at ") + when + " (" + age + ")" +
                   (run.contains("backupId") ? ", backup " + run.value("backupId", "") : "") +
                   (hours > 26 ? "; no scheduled run since (warn after 26 h)" : "")};
}

std::optional<Check> lastScheduledRunCheck(const volumes::Repository& repository,
                                           const std::string& project) {
  return scheduledRunCheck(readLastRun(lastRunPath(repository, project)), std::time(nullptr));
}

}  // namespace agentchat
