#pragma once
// Inside a backup run (backup_runner.cpp and the part writers): shared context and small helpers.
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/elapsed.hpp"
#include "base/task_group.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_settings.hpp"
#include "plugin/cli/progress.hpp"
#include "plugin/guard/stack_guard.hpp"
#include "volumes/deduplicated_part.hpp"
#include "volumes/manifest.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// What the part writers of one backup share: the engine and stack, the staging directory the parts
// go to, progress, cancellation, and the manifest records they produce (threads write them under a lock).
class PartWriter {
 public:
  PartWriter(dockerapi::Engine& engine, const compose::Stack& stack, volumes::Repository::Staging& staging,
             const BackupSettings& settings, base::TaskGroup& tasks, Progress& progress, StackGuard& guard)
      : engine(engine),
        stack(stack),
        tasks(tasks),
        guard(guard),
        staging_(staging),
        settings_(settings),
        progress_(progress) {}

  // Streams `produce`'s bytes into a new compressed part; records it in the manifest.
  void writePart(const PlannedPart& planned, const std::function<void(const base::ChunkSink&)>& produce);
  // Whether parts go to the repository's deduplicated store (one that takes this backup's encryption).
  bool deduplicating();
  // An encrypted backup: the manifest (plaintext) must not name the files of a volume.
  bool encrypted() const { return settings_.encryption.on(); }
  const std::map<std::string, std::string>& environ() const { return settings_.environ; }
  // A part the producer cuts itself into the store (the volume listing); `progressed` counts bytes
  // received. Only when deduplicating().
  void writeDeduplicatedPart(
      const PlannedPart& planned,
      const std::function<void(volumes::DeduplicatedPart&,
                               const std::function<void(std::size_t)>& progressed)>& produce);
  // A file of the backup beside its parts (a volume's catalog), kept when the backup commits.
  // Sealed to the repository key in an encrypted store, like the chunks.
  std::unique_ptr<volumes::StoredWriter> addFile(const std::string& name);
  // Such a file of an earlier backup, opened.
  std::unique_ptr<volumes::StoredReader> openFile(const volumes::Repository& repository,
                                                  const std::string& project, const std::string& id,
                                                  const std::string& name);
  void detail(const std::string& section, const std::string& key, nlohmann::json value);
  // details[path[0]][path[1]]...: for parts that share one entry (a server's databases).
  void detail(const std::vector<std::string>& path, nlohmann::json value);

  dockerapi::Engine& engine;
  const compose::Stack& stack;
  base::TaskGroup& tasks;
  StackGuard& guard;
  std::vector<volumes::PartRecord> parts;
  nlohmann::json timings = nlohmann::json::object();
  nlohmann::json details = nlohmann::json::object();

 private:
  template <typename Produce>
  void write(const PlannedPart& planned, const Produce& produce);
  volumes::Repository::Staging& staging_;
  const BackupSettings& settings_;
  Progress& progress_;
  std::mutex mutex_;
};

// Runs `copy` (one whole part of `what`, e.g. "volume app_data") again while the engine's archive
// stream comes out torn (base::TarError: see dockerapi/whole_archive.hpp); a third torn stream is a
// BackupFailed saying what to do.
void whileArchiveTorn(const std::string& what, const std::function<void()>& copy,
                      const std::string& remedy =
                          "Back up with --consistency stop, or leave the churning "
                          "files out with x-agentchat excludes");

// The service a part belongs to.
const compose::StackService& serviceOf(const compose::Stack& stack, const PlannedPart& part);
// Its running container, or BackupFailed saying how to start it (or to use --consistency stop).
std::string requireRunning(const compose::StackService& service);

}  // namespace agentchat
