#include "plugin/backup/sqlite_parts.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <random>

#include "base/elapsed.hpp"
#include "base/private_dir.hpp"
#include "base/text_lines.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/databases/sqlite_check.hpp"
#include "plugin/databases/sqlite_files.hpp"
#include "volumes/host_archive.hpp"

namespace agentchat {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Volumes are copied in parallel; two of them mounted by one container must not both pause it
// (the second pause would fail, and the first unpause would end the second's window).
std::mutex pauseWindow;

// A running container that mounts the volume, and where.
struct User {
  std::string id, name, target;
};

// Asked of the engine, not taken from the stack as loaded: in a stop-mode backup nothing runs now.
std::vector<User> runningUsers(PartWriter& run, const std::string& volumeName) {
  std::vector<User> users;
  for (const auto& [key, volume] : run.stack.volumes) {
    if (volume.name != volumeName) continue;
    for (const auto& [service, target] : volume.mountedBy) {
      for (const auto& c : run.stack.services.at(service).containers) {
        auto info = run.engine.inspectContainer(c.id);
        if (info.running && !info.paused) users.push_back({c.id, c.name, target});
      }
    }
  }
  return users;
}

std::string token() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

// Writes the one regular file of a container path's archive to `to`; false when there is no such path.
bool fetchFile(dockerapi::Engine& engine, const std::string& container, const std::string& path,
               const fs::path& to) {
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  bool found = false;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        if (!entry.regular() || found) return false;
        found = true;
        return true;
      },
      [&](std::string_view data) { out.write(data.data(), static_cast<std::streamsize>(data.size())); });
  try {
    engine.getArchive(container, path, [&](std::string_view chunk) { walker.feed(chunk); });
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() == dockerapi::ErrorKind::NotFound) return false;
    throw;
  }
  walker.finish();
  out.close();
  if (!out) throw BackupFailed("cannot write the SQLite copy " + to.string() + " (is the disk full?)");
  return found;
}

bool hasSqlite3(dockerapi::Engine& engine, const std::string& container) {
  try {
    return dockerapi::execCapture(engine, container, {{"sqlite3", "-version"}, {}, {}, {}}).exitCode == 0;
  } catch (const dockerapi::EngineError&) {
    return false;  // engines answer a missing executable with an error, or with exit 126/127
  }
}

// SQLite's online backup API run by the container's own sqlite3 into a file of its /tmp, fetched
// and removed (also when anything fails). False, saying why, when that did not work.
bool backupApiCopy(PartWriter& run, const User& user, const std::string& path, const fs::path& to) {
  std::string tmp = "/tmp/agentchat-sqlite-" + token() + ".db";
  auto remove = [&engine = run.engine, id = user.id, tmp] {
    dockerapi::execCapture(engine, id, {{"rm", "-f", "--", tmp}, {}, {}, {}});
  };
  run.guard.onInterrupt(remove);
  struct Removed {
    std::function<void()> remove;
    ~Removed() {
      try {
        remove();
      } catch (const std::exception& e) {
        spdlog::warn("could not remove a SQLite backup copy from a container's /tmp: {}", e.what());
      }
    }
  } removed{remove};
  // The path is an argument, not shell text; the busy timeout waits out a writer's lock.
  std::string source = user.target + "/" + path;
  auto result = dockerapi::execCapture(
      run.engine, user.id,
      {{"sqlite3", "-bail", source, ".timeout 20000", ".backup '" + tmp + "'"}, {}, {}, {}});
  if (result.exitCode != 0) {
    spdlog::warn("{}: sqlite3 .backup of {} failed (exit {}): {}; copying it paused instead", user.name,
                 source, result.exitCode, base::firstLine(result.err + result.out));
    return false;
  }
  if (!fetchFile(run.engine, user.id, tmp, to)) {
    spdlog::warn("{}: the backup of {} is not where sqlite3 wrote it; copying it paused instead", user.name,
                 source);
    return false;
  }
  return true;
}

struct Copy {
  base::TarEntry entry;  // as the volume's stream had it
  fs::path file;         // the checked copy
  std::string method;    // backup-api | paused-copy | stopped-copy
  std::string via;       // the container whose sqlite3 took it
  double pausedSeconds = 0;
};

// The files and their -wal and -journal (the -shm is only an index SQLite rebuilds) from the volume's
// helper, with every running user paused meanwhile: no write lands between reading one and the next.
void pausedCopy(PartWriter& run, const std::vector<User>& users, const std::string& helper,
                std::vector<Copy*>& copies) {
  std::lock_guard lock(pauseWindow);
  std::vector<std::string> paused;
  auto started = std::chrono::steady_clock::now();
  try {
    for (const auto& u : users) {
      if (std::find(paused.begin(), paused.end(), u.id) != paused.end()) continue;
      run.guard.pause(u.id, u.name);
      paused.push_back(u.id);
    }
    for (auto* copy : copies) {
      std::string path =
          std::string(dockerapi::HelperContainer::kVolumeMount) + "/" + volumeRelativePath(copy->entry.name);
      if (!fetchFile(run.engine, helper, path, copy->file))
        throw BackupFailed("volume: " + volumeRelativePath(copy->entry.name) +
                           " disappeared while it was being copied");
      for (const char* sibling : {"-wal", "-journal"}) {
        fs::path local = copy->file.string() + sibling;
        if (!fetchFile(run.engine, helper, path + sibling, local)) fs::remove(local);
      }
    }
  } catch (...) {
    run.guard.resume(paused);
    throw;
  }
  auto failed = run.guard.resume(paused);
  double seconds = base::secondsSince(started);
  for (auto* copy : copies) {
    copy->method = paused.empty() ? "stopped-copy" : "paused-copy";
    copy->pausedSeconds = paused.empty() ? 0 : seconds;
  }
  if (!failed.empty()) {
    throw BackupFailed("could not unpause " + fmt::format("{}", fmt::join(failed, ", ")) +
                       " after copying its SQLite files (the run journal keeps it: the next backup or "
                       "restore, or `docker agentchat status`, unpauses it; or run `docker unpause`)");
  }
  if (!paused.empty())
    spdlog::info("paused {} for {:.3f} s to copy SQLite files", fmt::join(paused, ", "), seconds);
}

// One consistent copy of each, by the API where a user has sqlite3, else paused.
void takeCopies(PartWriter& run, const std::vector<User>& users, const std::string& helper,
                std::vector<Copy*> copies) {
  const User* api = nullptr;
  for (const auto& u : users) {
    if (hasSqlite3(run.engine, u.id)) {
      api = &u;
      break;
    }
  }
  std::vector<Copy*> paused;
  for (auto* copy : copies) {
    if (api && backupApiCopy(run, *api, volumeRelativePath(copy->entry.name), copy->file)) {
      copy->method = "backup-api";
      copy->via = api->name;
    } else {
      paused.push_back(copy);
    }
  }
  if (!paused.empty()) pausedCopy(run, users, helper, paused);
}

}  // namespace

std::string sqlitePartName(const std::string& volumePartName) {
  const std::string prefix = "volume-";
  return "sqlite-" +
         (volumePartName.rfind(prefix, 0) == 0 ? volumePartName.substr(prefix.size()) : volumePartName);
}

void copySqliteDatabases(PartWriter& run, const PlannedPart& volume, const std::string& helper,
                         const std::vector<base::TarEntry>& found) {
  if (found.empty()) return;
  // SQLite opens files, not streams: the copies wait here, 0700, removed whatever happens.
  base::PrivateDir dir("agentchat-sqlite");
  auto users = runningUsers(run, volume.source);
  std::vector<Copy> copies;
  for (std::size_t i = 0; i < found.size(); ++i) {
    fs::create_directory(dir.path() / std::to_string(i));
    copies.push_back({found[i], dir.path() / std::to_string(i) / "db", {}, {}, 0});
  }
  std::vector<Copy*> all;
  for (auto& c : copies) all.push_back(&c);
  takeCopies(run, users, helper, all);

  // A copy that fails its check is taken once more (the same way); twice is a damaged database.
  json files = json::array();
  for (auto& copy : copies) {
    auto check = checkSqliteCopy(copy.file);
    if (!check.ok) {
      spdlog::warn("volume {}: the copy of {} fails its check ({}); taking it again", volume.source,
                   volumeRelativePath(copy.entry.name), check.problem);
      for (const char* sibling : {"-wal", "-journal", "-shm"}) fs::remove(copy.file.string() + sibling);
      takeCopies(run, users, helper, {&copy});
      check = checkSqliteCopy(copy.file);
    }
    if (!check.ok) {
      throw BackupFailed(
          "volume " + volume.source + ": SQLite database " + volumeRelativePath(copy.entry.name) +
          " fails PRAGMA integrity_check in two consistent copies (" + check.problem +
          "): the database itself looks damaged; check it in the app's container with "
          "`sqlite3 <path> 'PRAGMA integrity_check'`, or leave it out with x-agentchat excludes");
    }
    files.push_back({{"path", volumeRelativePath(copy.entry.name)},
                     {"method", copy.method},
                     {"container", copy.via.empty() ? json(nullptr) : json(copy.via)},
                     {"pausedSeconds", copy.pausedSeconds},
                     {"bytes", fs::file_size(copy.file)},
                     {"integrity", "ok"}});
  }

  PlannedPart part{sqlitePartName(volume.name), volumes::PartKind::Sqlite, volume.service, volume.source, {}};
  std::vector<volumes::StreamEntry> entries;
  for (const auto& copy : copies) {
    const auto& e = copy.entry;
    entries.push_back({e.name, fs::file_size(copy.file),
                       [file = copy.file] { return volumes::openStoredFile(file); },
                       volumes::StreamEntry::Owner{e.mode, e.uid, e.gid, e.mtime}});
  }
  run.writePart(part, [&](const base::ChunkSink& sink) { volumes::archiveStreams(entries, sink); });
  run.detail("sqlite", volume.name, files);
  spdlog::info("volume {}: {} SQLite database(s) copied consistently into {}", volume.source, copies.size(),
               part.name);
}

}  // namespace agentchat
