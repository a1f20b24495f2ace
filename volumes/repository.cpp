#include "volumes/repository.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dockerapi/process_owner.hpp"

namespace volumes {

namespace fs = std::filesystem;

namespace {

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

}  // namespace

ProjectLock::~ProjectLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // Only the next run's message ("a previous run died") would be wrong; the lock is released anyway.
  }
  ::close(fd_);  // releases the flock
}

Repository::Repository(fs::path root) : root_(std::move(root)) {}

fs::path Repository::projectDir(const std::string& project) const {
  if (!isPlainFileName(project)) throw RepositoryError("invalid project name for a repository: " + project);
  return root_ / project;
}

fs::path Repository::backupDir(const std::string& project, const std::string& id) const {
  if (!isBackupId(id))
    throw RepositoryError("invalid backup id '" + id + "' (expected e.g. 20261124T020000Z)");
  return projectDir(project) / id;
}

std::string Repository::newBackupId(const std::string& project, std::time_t now) const {
  for (;; ++now) {
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char id[32];
    std::strftime(id, sizeof id, "%Y%m%dT%H%M%SZ", &tm);
    std::error_code ec;
    if (!fs::exists(projectDir(project) / id, ec) &&
        !fs::exists(projectDir(project) / (std::string(".partial-") + id), ec)) {
      return id;
    }
  }
}

Repository::Staging::Staging(fs::path partial, fs::path final)
    : partial_(std::move(partial)), final_(std::move(final)) {
  makePrivateDir(partial_);
}

Repository::Staging::~Staging() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(partial_, ec);  // an unfinished backup leaves nothing behind
}

std::unique_ptr<PartFile> Repository::Staging::addPart(const std::string& name) {
  if (!isPlainFileName(name) || name == "manifest.json")
    throw RepositoryError("invalid part name '" + name + "'");
  return std::make_unique<PartFile>(partial_ / name);
}

void Repository::Staging::commit(const Manifest& manifest) {
  {
    PartFile file(partial_ / "manifest.json");
    file.write(toJson(manifest).dump(2) + "\n");
    file.close();
  }
  syncDir(partial_);
  std::error_code ec;
  fs::rename(partial_, final_, ec);
  if (ec)
    throw RepositoryError("cannot complete the backup (rename to " + final_.string() + "): " + ec.message());
  syncDir(final_.parent_path());
  committed_ = true;
}

std::unique_ptr<Repository::Staging> Repository::begin(const std::string& project, const std::string& id) {
  fs::path final = backupDir(project, id);
  makePrivateDir(root_);
  makePrivateDir(projectDir(project));
  return std::make_unique<Staging>(projectDir(project) / (".partial-" + id), final);
}

std::vector<std::string> Repository::list(const std::string& project) const {
  std::vector<std::string> ids;
  std::error_code ec;
  fs::path dir = projectDir(project);
  if (!fs::is_directory(dir, ec)) return ids;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string id = entry.path().filename().string();
    if (isBackupId(id) && fs::is_regular_file(entry.path() / "manifest.json", ec)) ids.push_back(id);
  }
  std::sort(ids.rbegin(), ids.rend());
  return ids;
}

Manifest Repository::read(const std::string& project, const std::string& id) const {
  fs::path path = backupDir(project, id) / "manifest.json";
  std::ifstream in(path);
  if (!in)
    throw RepositoryError("no complete backup " + id + " of project " + project + " (no " + path.string() +
                          ")");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return parseManifest(text.str());
  } catch (const ManifestError& e) {
    throw RepositoryError(path.string() + ": " + e.what());
  }
}

void Repository::recordVerification(const std::string& project, const std::string& id,
                                    const nlohmann::json& result) {
  fs::path dir = backupDir(project, id);
  fs::path temp = dir / ".verified.json.tmp";
  std::error_code ec;
  fs::remove(temp, ec);
  {
    PartFile file(temp);
    file.write(result.dump(2) + "\n");
    file.close();
  }
  fs::rename(temp, dir / "verified.json", ec);
  if (ec) throw RepositoryError("cannot record the verification in " + dir.string() + ": " + ec.message());
}

std::optional<nlohmann::json> Repository::verification(const std::string& project,
                                                       const std::string& id) const {
  std::ifstream in(backupDir(project, id) / "verified.json");
  if (!in) return std::nullopt;
  auto parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

void Repository::remove(const std::string& project, const std::string& id) {
  fs::path dir = backupDir(project, id);
  std::error_code ec;
  fs::remove(dir / "manifest.json", ec);
  if (ec) throw RepositoryError("cannot delete backup " + id + " (" + dir.string() + "): " + ec.message());
  syncDir(dir);
  fs::remove_all(dir, ec);
  if (ec) throw RepositoryError("cannot delete " + dir.string() + ": " + ec.message());
}

std::vector<std::string> Repository::removeAbandoned(const std::string& project) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(projectDir(project), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(".partial-", 0) != 0) continue;
    fs::remove_all(entry.path(), ec);
    removed.push_back(name.substr(9));
  }
  return removed;
}

bool Repository::mayHoldDeadRun(const std::string& project) const {
  std::error_code ec;
  fs::path dir = projectDir(project);
  if (fs::exists(dir / ".journal", ec)) return true;
  auto lockSize = fs::file_size(dir / ".lock", ec);
  if (!ec && lockSize > 0) return true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind(".partial-", 0) == 0) return true;
  }
  return false;
}

fs::path Repository::journalPath(const std::string& project) const {
  return projectDir(project) / ".journal";
}

std::unique_ptr<ProjectLock> Repository::lock(const std::string& project) {
  makePrivateDir(root_);
  makePrivateDir(projectDir(project));
  fs::path path = projectDir(project) / ".lock";
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
  std::string me = dockerapi::thisProcess() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0 || ::fsync(fd) != 0) {
    // The lock itself is held; the holder's name is for finding a dead run after a crash.
  }
  return std::make_unique<ProjectLock>(fd, dead);
}

}  // namespace volumes
