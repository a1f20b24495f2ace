#include "volumes/local_repository.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace volumes {

namespace fs = std::filesystem;

LocalRepository::LocalRepository(fs::path root) : Repository(root), root_(std::move(root)) {}

fs::path LocalRepository::backupDir(const std::string& project, const std::string& id) const {
  requireBackupId(id);
  return projectDir(project) / id;
}

bool LocalRepository::idTaken(const std::string& project, const std::string& id) const {
  std::error_code ec;
  return fs::exists(projectDir(project) / id, ec) || fs::exists(projectDir(project) / (".partial-" + id), ec);
}

LocalRepository::Staging::Staging(fs::path partial, fs::path final,
                                  std::unique_ptr<chunks::RepositoryChunks::Writing> chunks,
                                  const chunks::RepositoryChunks* store)
    : Repository::Staging(std::move(chunks), store), partial_(std::move(partial)), final_(std::move(final)) {
  makePrivateDir(partial_);
}

LocalRepository::Staging::~Staging() {
  if (!committed_) discard();  // an unfinished backup leaves nothing behind
}

void LocalRepository::Staging::discard() noexcept {
  std::error_code ec;
  fs::remove_all(partial_, ec);
}

std::unique_ptr<StoredWriter> LocalRepository::Staging::addPart(const std::string& name) {
  if (!isPlainFileName(name) || name == "manifest.json")
    throw RepositoryError("invalid part name '" + name + "'");
  return std::make_unique<PartFile>(partial_ / name);
}

void LocalRepository::Staging::commit(const Manifest& manifest) {
  // Every chunk the parts name is in a sealed pack and an index file before the manifest names them.
  finishChunks();
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

std::unique_ptr<Repository::Staging> LocalRepository::begin(const std::string& project,
                                                            const std::string& id) {
  fs::path final = backupDir(project, id);
  makePrivateDir(root_);
  makePrivateDir(projectDir(project));
  auto writing = beginChunks();
  return std::make_unique<Staging>(projectDir(project) / (".partial-" + id), final, std::move(writing),
                                   chunkStore());
}

std::unique_ptr<chunks::ChunkSpace> LocalRepository::chunkSpace() const {
  return chunks::localChunkSpace(root_ / ".chunks");
}

bool LocalRepository::holdsBackups() const {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.front() != '.' && entry.is_directory(ec) && !list(name).empty()) return true;
  }
  return false;
}

namespace {
// The entries of `dir`; a directory that cannot be read is an error, never an empty one: a garbage
// collection that missed a backup's chunk lists would delete the chunks it needs.
std::vector<fs::directory_entry> entriesOf(const fs::path& dir) {
  std::vector<fs::directory_entry> entries;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    entries.push_back(*it);
  if (ec) throw RepositoryError("cannot list " + dir.string() + ": " + ec.message());
  return entries;
}
}  // namespace

void LocalRepository::forEachChunkList(const ChunkListVisitor& visit) const {
  std::error_code ec;
  if (!fs::exists(root_, ec)) return;
  for (const auto& project : entriesOf(root_)) {
    if (!project.is_directory(ec) || project.path().filename().string().front() == '.') continue;
    for (const auto& backup : entriesOf(project.path())) {
      if (!backup.is_directory(ec)) continue;
      for (const auto& file : entriesOf(backup.path())) {
        if (file.path().extension() != ".chunks") continue;
        auto list = openStoredFile(file.path());
        visit(project.path().filename().string() + "/" + backup.path().filename().string(),
              file.path().filename().string(), *list);
      }
    }
  }
}

std::vector<std::string> LocalRepository::list(const std::string& project) const {
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

Manifest LocalRepository::read(const std::string& project, const std::string& id) const {
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

void LocalRepository::recordVerification(const std::string& project, const std::string& id,
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

std::optional<nlohmann::json> LocalRepository::verification(const std::string& project,
                                                            const std::string& id) const {
  std::ifstream in(backupDir(project, id) / "verified.json");
  if (!in) return std::nullopt;
  auto parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

void LocalRepository::remove(const std::string& project, const std::string& id) {
  fs::path dir = backupDir(project, id);
  std::error_code ec;
  fs::remove(dir / "manifest.json", ec);
  if (ec) throw RepositoryError("cannot delete backup " + id + " (" + dir.string() + "): " + ec.message());
  syncDir(dir);
  fs::remove_all(dir, ec);
  if (ec) throw RepositoryError("cannot delete " + dir.string() + ": " + ec.message());
}

std::vector<std::string> LocalRepository::removeAbandoned(const std::string& project) {
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

std::unique_ptr<StoredReader> LocalRepository::openPart(const std::string& project, const std::string& id,
                                                        const std::string& name) const {
  if (!isPlainFileName(name)) throw RepositoryError("invalid part name '" + name + "'");
  return openStoredFile(backupDir(project, id) / name);
}

void LocalRepository::appendAudit(const std::string& project, const nlohmann::json& entry) {
  makePrivateDir(root_);
  makePrivateDir(projectDir(project));
  auto path = projectDir(project) / "audit.log";
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
