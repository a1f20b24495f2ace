#include "volumes/audit_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "volumes/part_file.hpp"

namespace volumes {

nlohmann::json partDigests(const Manifest& manifest) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : manifest.parts) parts.push_back({{"name", p.name}, {"sha256", p.sha256}});
  return parts;
}

void appendAudit(const std::filesystem::path& repositoryRoot, const std::string& project,
                 const nlohmann::json& entry) {
  auto dir = repositoryRoot / project;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(repositoryRoot.c_str(), 0700);
  ::chmod(dir.c_str(), 0700);
  auto path = dir / "audit.log";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw RepositoryError("cannot open " + path.string() + ": " + std::strerror(errno), errno == ENOSPC);
  ::fchmod(fd, 0600);
  std::string line = entry.dump() + "\n";
  ssize_t written = ::write(fd, line.data(), line.size());
  int error = errno;
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size()) || !synced)
    throw RepositoryError("cannot append to " + path.string() + ": " + std::strerror(error), error == ENOSPC);
}

}  // namespace volumes
