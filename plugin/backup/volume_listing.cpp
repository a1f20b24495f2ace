#include "plugin/backup/volume_listing.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "base/private_dir.hpp"
#include "base/sha256.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "lister/lister_program.hpp"
#include "plugin/backup/file_parts.hpp"
#include "plugin/backup/lister_helper.hpp"
#include "plugin/backup/previous_catalog.hpp"
#include "plugin/backup/sqlite_parts.hpp"
#include "plugin/databases/sqlite_files.hpp"
#include "volumes/listing/archive_catalog.hpp"
#include "volumes/listing/listed_volume.hpp"
#include "volumes/part_file.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

using nlohmann::json;
namespace listing = volumes::listing;

namespace {

// SQLite's smallest page (as the archive path's scan): a shorter file is no database.
constexpr std::uint64_t kSqliteMinimum = 512;

// Why the lister cannot be trusted with this volume, or "" when it can: its inode numbers and
// times must be the local filesystem's (LISTING.md, "When a file is read anyway").
std::string unlistable(dockerapi::Engine& engine, const std::string& volume) {
  auto info = engine.inspectVolume(volume);
  if (info.driver != "local") return "its driver is " + info.driver + ", not local";
  static const std::set<std::string> local{"",     "none", "bind",  "ext2", "ext3",
                                           "ext4", "xfs",  "btrfs", "tmpfs"};
  auto type = info.options.find("type");
  if (type != info.options.end() && !local.contains(type->second))
    return "it is a " + type->second + " mount, whose inodes and times may not be stable";
  return "";
}

// The first warnings name files: not in the manifest of an encrypted backup (it is plaintext).
json countsJson(const listing::ListingCounts& c, bool encrypted) {
  json counts = {{"listedAt", c.listedAt},   {"entries", c.entries},      {"read", c.read},
                 {"readBytes", c.readBytes}, {"reused", c.reused},        {"reusedBytes", c.reusedBytes},
                 {"unstable", c.unstable},   {"warnings", c.warningCount}};
  if (!encrypted) counts["firstWarnings"] = c.warnings;
  return counts;
}

// The part is stored by now: a catalog that cannot be finished only costs the next backup a full read.
std::optional<std::string> keptCatalog(const PlannedPart& planned,
                                       const std::function<std::string()>& close) {
  try {
    return close();
  } catch (const listing::ListingError& e) {
    spdlog::warn("volume {}: no catalog kept ({}); the next backup reads every file", planned.source,
                 e.what());
    return std::nullopt;
  }
}

json withCatalog(json detail, const PlannedPart& planned, const std::string& sha256) {
  detail["catalog"] = planned.name + ".catalog";
  detail["sha256"] = sha256;
  return detail;
}

// The volume's helper with the lister in it, started (its main process waits to be removed).
dockerapi::HelperContainer startLister(PartWriter& run, const PlannedPart& planned,
                                       const std::string& image) {
  return startListerHelper(
      run.engine, image,
      {dockerapi::MountSpec{dockerapi::MountSpec::Type::Volume, planned.source,
                            dockerapi::HelperContainer::kVolumeMount, true}},
      "backup of volume " + planned.source, false, [&run](const std::string& id) {
        run.guard.onInterrupt([&engine = run.engine, id] { engine.removeContainer(id, true); });
      });
}

// `agentchat-lister MODE` over the volume, as root (every file, whatever the image's user).
void runLister(PartWriter& run, const std::string& helper, const char* mode, const base::ChunkSink& out,
               base::ChunkSource in) {
  std::string errors;
  dockerapi::ExecSpec spec;
  spec.cmd = {kListerPath, mode, dockerapi::HelperContainer::kVolumeMount};
  spec.user = "0:0";
  auto result = run.engine.exec(
      helper, spec, out,
      [&](std::string_view bytes) {
        if (errors.size() < 4096) errors.append(bytes.substr(0, 4096 - errors.size()));
      },
      std::move(in));
  if (result.exitCode != 0)
    throw listing::ListingError("the lister exited with " + std::to_string(result.exitCode) + ": " + errors);
}

listing::ListingHooks hooksFor(const volumes::Excludes& excludes, std::vector<base::TarEntry>& sqlite) {
  listing::ListingHooks hooks;
  if (!excludes.empty())
    hooks.keep = [&excludes](const base::TarEntry& e) { return !excludes.excludes(e.name); };
  hooks.marker = std::string(kSqliteHeader);
  hooks.marked = [&sqlite](const base::TarEntry& e) {
    if (e.size >= kSqliteMinimum && !isSqliteSidecar(e.name)) sqlite.push_back(e);
  };
  return hooks;
}

// With the previous backup's catalog: the lister walks the volume, sending only what changed.
void walkVolume(PartWriter& run, const PlannedPart& planned, const std::string& helper,
                const volumes::Repository& repository, const PreviousCatalog& previous,
                const volumes::Excludes& excludes) {
  listing::CatalogReader reused(run.openFile(repository, run.stack.name, previous.id, previous.file));
  listing::CatalogReader forLister(run.openFile(repository, run.stack.name, previous.id, previous.file));
  std::vector<base::TarEntry> sqlite;
  std::optional<listing::ListedVolume> listed;
  run.writeDeduplicatedPart(planned, [&](volumes::DeduplicatedPart& part, const auto& progressed) {
    listed.emplace(part, &reused, run.addFile(planned.name + ".catalog"), hooksFor(excludes, sqlite));
    runLister(
        run, helper, "walk",
        [&](std::string_view bytes) {
          progressed(bytes.size());
          listed->feed(bytes);
        },
        forLister.forLister());
    listed->finish();
  });
  auto sha = keptCatalog(planned, [&] { return listed->close(); });
  const auto& counts = listed->counts();
  json detail = countsJson(counts, run.encrypted());
  detail.update({{"catalogSize", listed->catalogSize()}, {"previous", previous.id}});
  if (sha) run.detail("listing", planned.name, withCatalog(detail, planned, *sha));
  if (!excludes.empty()) run.detail("excluded", planned.name, counts.dropped);
  for (const auto& warning : counts.warnings) spdlog::warn("volume {}: {}", planned.source, warning);
  spdlog::info("volume {}: {} files read ({} bytes), {} unchanged files reused ({} bytes)", planned.source,
               counts.read, counts.readBytes, counts.reused, counts.reusedBytes);
  copySqliteDatabases(run, planned, helper, sqlite);
}

// Without a catalog to compare with: the lister lists the files' facts, then the engine's archive
// (faster than an exec's output) brings the whole volume, and the two make the first catalog.
void listAndReadVolume(PartWriter& run, const PlannedPart& planned, const std::string& helper,
                       const volumes::Excludes& excludes) {
  base::PrivateDir spill("agentchat-facts");
  listing::ListedFacts facts(std::make_unique<volumes::PartFile>(spill.path() / "facts"));
  runLister(run, helper, "facts",
            [&](std::string_view bytes) {
              run.tasks.checkpoint();
              facts.feed(bytes);
            },
            {});
  facts.finish();
  std::optional<listing::ArchiveCatalog> catalog;
  std::optional<SqliteScan> scan;
  dockerapi::ArchiveCounts archived;
  whileArchiveTorn("volume " + planned.source, [&] {
    run.writeDeduplicatedPart(planned, [&](volumes::DeduplicatedPart& part, const auto& progressed) {
      catalog.reset();
      catalog.emplace(part, volumes::openStoredFile(spill.path() / "facts"),
                      run.addFile(planned.name + ".catalog"), std::string(kSqliteHeader));
      scan.emplace();
      archived = readVolumeArchive(run.engine, helper, excludes, [&](std::string_view bytes) {
        progressed(bytes.size());
        scan->feed(bytes);
        part.write(bytes);
      });
    });
  });
  auto sha = keptCatalog(planned, [&] { return catalog->close(); });
  json detail = countsJson(facts.counts(), run.encrypted());
  detail.update({{"catalogSize", catalog->size()},
                 {"previous", nullptr},
                 {"read", archived.kept},
                 {"uncatalogued", catalog->unmatched()}});
  if (sha) run.detail("listing", planned.name, withCatalog(detail, planned, *sha));
  if (!excludes.empty()) run.detail("excluded", planned.name, archived.dropped);
  spdlog::info("volume {}: read whole ({} entries), {} files catalogued for the next backup", planned.source,
               archived.kept, catalog->entries());
  copySqliteDatabases(run, planned, helper, scan->found());
}

}  // namespace

bool copyVolumeByListing(PartWriter& run, const PlannedPart& planned, const std::string& helperImage,
                         const volumes::Repository& repository, const volumes::Excludes& excludes) {
  if (!run.deduplicating()) return false;
  auto arch = run.engine.version().arch;
  if (arch != lister::architecture()) {
    spdlog::info("volume {}: the engine runs {}, the lister is built for {}: reading the whole volume",
                 planned.source, arch, lister::architecture());
    return false;
  }
  if (auto why = unlistable(run.engine, planned.source); !why.empty()) {
    spdlog::info("volume {}: {}: reading the whole volume", planned.source, why);
    return false;
  }
  auto previous = previousCatalog(repository, run.stack.name, planned.name, "listing");
  if (previous && !catalogIntact(repository, run.stack.name, *previous)) previous.reset();
  try {
    auto helper = startLister(run, planned, helperImage);
    if (previous)
      walkVolume(run, planned, helper.id(), repository, *previous, excludes);
    else
      listAndReadVolume(run, planned, helper.id(), excludes);
    return true;
  } catch (const listing::ListingError& e) {
    spdlog::warn("volume {}: the lister failed ({}); reading the whole volume instead", planned.source,
                 e.what());
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() == dockerapi::ErrorKind::Unreachable) throw;
    spdlog::warn("volume {}: the lister could not run ({}); reading the whole volume instead", planned.source,
                 e.what());
  }
  return false;
}

}  // namespace agentchat
