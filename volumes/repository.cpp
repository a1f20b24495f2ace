#include "volumes/repository.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/process_owner.hpp"

namespace volumes {

namespace fs = std::filesystem;

void makePrivateDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw RepositoryError("cannot create " + dir.string() + ": " + ec.message(), ec.value() == ENOSPC);
  ::chmod(dir.c_str(), 0700);  // whatever the umask
}

void syncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool isBackupId(const std::string& id) {
  if (id.size() != 16 || id[8] != 'T' || id[15] != 'Z') return false;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i != 8 && (id[i] < '0' || id[i] > '9')) return false;
  }
  return true;
}

void requireBackupId(const std::string& id) {
  if (!isBackupId(id))
    throw RepositoryError("invalid backup id '" + id + "' (expected e.g. 20261124T020000Z)");
}

ProjectLock::~ProjectLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // Only the next run's message ("a previous run died") would be wrong; the lock is released anyway.
  }
  ::close(fd_);  // releases the flock
}

std::string Repository::newBackupId(const std::string& project, std::time_t now) const {
  for (;; ++now) {
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char id[32];
    std::strftime(id, sizeof id, "%Y%m%dT%H%M%SZ", &tm);
    if (!idTaken(project, id)) return id;
  }
}

fs::path Repository::stateDir(const std::string& project) const {
  if (!isPlainFileName(project)) throw RepositoryError("invalid project name for a repository: " + project);
  return stateRoot_ / project;
}

bool Repository::mayHoldDeadRun(const std::string& project) const {
  std::error_code ec;
  fs::path dir = stateDir(project);
  if (fs::exists(dir / ".journal", ec)) return true;
  auto lockSize = fs::file_size(dir / ".lock", ec);
  if (!ec && lockSize > 0) return true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind(".partial-", 0) == 0) return true;
  }
  return false;
}

fs::path Repository::journalPath(const std::string& project) const {
  return stateDir(project) / ".journal";
}

std::unique_ptr<ProjectLock> Repository::lock(const std::string& project) {
  makePrivateDir(stateRoot_);
  makePrivateDir(stateDir(project));
  fs::path path = stateDir(project) / ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw RepositoryError("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[256] = {};
    ssize_t got = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    std::string who =
        got > 0 ? std::string(holder, static_cast<std::size_t>(got)) : std::string("another process");
    while (!who.empty() && who.back() == '\n') who.pop_back();
    throw RepositoryError("another backup or restore of project " + project + " is running (" + who +
                          "); wait for it to finish");
  }
  char previous[256] = {};
  ssize_t got = ::pread(fd, previous, sizeof previous - 1, 0);
  std::string dead = got > 0 ? std::string(previous, static_cast<std::size_t>(got)) : std::string();
  while (!dead.empty() && dead.back() == '\n') dead.pop_back();
  std::string me = base::thisProcess() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0 || ::fsync(fd) != 0) {
    // The lock itself is held; the holder's name is for finding a dead run after a crash.
  }
  return std::make_unique<ProjectLock>(fd, dead);
}

}  // namespace volumes
