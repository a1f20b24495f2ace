#include "plugin/backup/file_parts.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <optional>

#include "base/tar_walker.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "dockerapi/whole_archive.hpp"
#include "plugin/backup/sqlite_parts.hpp"
#include "plugin/backup/volume_listing.hpp"
#include "plugin/databases/sqlite_files.hpp"
#include "volumes/excludes.hpp"
#include "volumes/host_archive.hpp"

namespace agentchat {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// x-agentchat excludes of the whole project and of the service the part belongs to.
volumes::Excludes excludesFor(const compose::Stack& stack, const PlannedPart& planned) {
  std::vector<std::string> patterns = stack.settings.excludes;
  if (auto it = stack.services.find(planned.service); it != stack.services.end()) {
    patterns.insert(patterns.end(), it->second.settings.excludes.begin(), it->second.settings.excludes.end());
  }
  return volumes::Excludes(patterns);
}

}  // namespace

std::vector<std::string> helperImages(const compose::Stack& stack) {
  std::vector<std::string> images;
  for (const auto& [name, service] : stack.services) {
    if (!service.imageId.empty()) images.push_back(service.imageId);
    if (!service.image.empty()) images.push_back(service.image);
  }
  return images;
}

dockerapi::ArchiveCounts readVolumeArchive(dockerapi::Engine& engine, const std::string& helper,
                                           const volumes::Excludes& excludes, const base::ChunkSink& sink) {
  // "<mount>/." yields entries relative to the volume root ("./a/b"): extractable anywhere.
  std::string root = std::string(dockerapi::HelperContainer::kVolumeMount) + "/.";
  if (excludes.empty()) return dockerapi::getWholeArchive(engine, helper, root, sink);
  return dockerapi::getWholeArchive(engine, helper, root, sink,
                                    [&](const base::TarEntry& e) { return !excludes.excludes(e.name); });
}

void copyVolumePart(PartWriter& run, const PlannedPart& planned, const std::string& helperImage,
                    const volumes::Repository& repository) {
  auto excludes = excludesFor(run.stack, planned);
  if (copyVolumeByListing(run, planned, helperImage, repository, excludes)) return;
  auto helper = dockerapi::HelperContainer::forVolume(run.engine, helperImage, planned.source, true,
                                                      "backup of volume " + planned.source);
  run.guard.onInterrupt([&engine = run.engine, id = helper.id()] { engine.removeContainer(id, true); });
  // What is stored passes a scan for SQLite databases on its way (unchanged, and read once).
  std::optional<SqliteScan> scan;
  whileArchiveTorn("volume " + planned.source, [&] {
    scan.emplace();
    run.writePart(planned, [&](const base::ChunkSink& out) {
      auto counts = readVolumeArchive(run.engine, helper.id(), excludes, [&](std::string_view chunk) {
        scan->feed(chunk);
        out(chunk);
      });
      if (!excludes.empty()) run.detail("excluded", planned.name, counts.dropped);
    });
  });
  copySqliteDatabases(run, planned, helper.id(), scan->found());
}

// Logs are taken incrementally, as a daily log backup should be: only files changed since the
// previous backup that took this part (the first backup takes them all).
void copyLogsPart(PartWriter& run, const PlannedPart& planned, std::optional<std::int64_t> since) {
  const auto& service = serviceOf(run.stack, planned);
  if (service.containers.empty()) {
    spdlog::warn("service {}: no container, so no logs to take", service.name);
    return;
  }
  const std::string& container = service.containers.front().id;
  auto excludes = excludesFor(run.stack, planned);
  std::int64_t takenAt = std::time(nullptr);
  dockerapi::ArchiveCounts counts;
  try {
    whileArchiveTorn("logs of service " + service.name, [&] {
      run.writePart(planned, [&](const base::ChunkSink& sink) {
        counts = dockerapi::getWholeArchive(run.engine, container, planned.source, sink,
                                            [&](const base::TarEntry& e) {
                                              if (excludes.excludes(e.name)) return false;
                                              // >=: a file written in the same second as the last copy may
                                              // have changed after it.
                                              return e.type == '5' || !since || e.mtime >= *since;
                                            });
      });
    });
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
    spdlog::warn("service {}: log path {} does not exist in the container; nothing taken", service.name,
                 planned.source);
    return;
  }
  run.detail("logs", planned.name,
             {{"path", planned.source},
              {"since", since ? json(*since) : json(nullptr)},
              {"takenAt", takenAt},
              {"files", counts.kept},
              {"unchanged", counts.dropped}});
}

// When the newest complete backup holding `part` took it (for incremental logs).
std::optional<std::int64_t> lastTaken(const volumes::Repository& repository, const std::string& project,
                                      const std::string& part) {
  for (const auto& id : repository.list(project)) {
    try {
      auto manifest = repository.read(project, id);
      const auto& logs = manifest.details.value("logs", json::object());
      if (logs.contains(part)) return logs[part].at("takenAt").get<std::int64_t>();
    } catch (const std::exception&) {
      continue;  // an unreadable manifest is verify's business; take the logs in full
    }
  }
  return std::nullopt;
}

void writeConfigPart(PartWriter& run, const PlannedPart& planned, const fs::path& repositoryRoot) {
  std::vector<volumes::HostEntry> entries;
  for (const auto& e : configEntries(run.stack, repositoryRoot.string()))
    entries.push_back({e.source, e.name});
  json listed = json::array();
  for (const auto& e : entries) listed.push_back(e.name);
  run.writePart(planned, [&](const base::ChunkSink& sink) {
    volumes::archiveHostPaths(entries, sink, keptPaths(repositoryRoot));
  });
  run.detail("config", "entries", listed);
}

std::vector<fs::path> keptPaths(const fs::path& repositoryRoot) {
  if (repositoryRoot.empty()) return {};
  return {repositoryRoot};
}

std::vector<ConfigEntry> configEntries(const compose::Stack& stack, const std::string& repositoryRoot) {
  fs::path base = fs::path(stack.workingDir).lexically_normal();
  std::vector<ConfigEntry> out;
  std::set<std::string> seen;
  auto add = [&](fs::path source) {
    source = fs::absolute(source).lexically_normal();
    std::error_code ec;
    auto status = fs::status(source, ec);
    if (ec || !(fs::is_regular_file(status) || fs::is_directory(status)))
      return;  // sockets, devices, missing
    std::string text = source.string();
    if (!repositoryRoot.empty() && text == fs::path(repositoryRoot).lexically_normal().string()) return;
    for (const auto& s : seen) {  // already inside something taken
      if (text == s || (text.compare(0, s.size(), s) == 0 && text[s.size()] == '/')) return;
    }
    seen.insert(text);
    auto relative = source.lexically_relative(base);
    bool below = !relative.empty() && *relative.begin() != "..";
    out.push_back({text, below ? "project/" + relative.string() : "host" + text});
  };
  for (const auto& file : stack.files) add(file);
  add(base / ".env");
  for (const auto& [name, service] : stack.services) {
    for (const auto& bind : service.binds) add(bind.hostPath);
  }
  for (const auto& [name, secret] : stack.secrets) {
    if (!secret.file.empty()) add(secret.file);
  }
  return out;
}

}  // namespace agentchat
