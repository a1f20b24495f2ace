#include "plugin/backup/backup_run.hpp"

#include <spdlog/spdlog.h>

#include "base/tar_walker.hpp"
#include "plugin/databases/database_login.hpp"
#include "volumes/chunks/sealed_file.hpp"
#include "volumes/compressed_part.hpp"
#include "volumes/deduplicated_part.hpp"

namespace agentchat {

using Clock = std::chrono::steady_clock;

namespace {

// One part's bytes on their way into the repository: a compressed (maybe encrypted) file of its
// own, or chunks of the repository's deduplicated store — sealed to the repository key when the
// store is encrypted (it takes only backups encrypted as it is).
class PartSink {
 public:
  PartSink(volumes::Repository::Staging& staging, const BackupSettings& settings,
           volumes::PartRecord record) {
    auto chunks = staging.chunks(settings.encryption);
    if (chunks) {
      record.storage = "chunks";
      deduplicated_.emplace(staging.addPart(record.storedName()), chunks->store, chunks->keys, record,
                            settings.compressionLevel, settings.threadsPerPart);
    } else {
      compressed_.emplace(staging.addPart(record.name), record, settings.compressionLevel,
                          settings.threadsPerPart,
                          settings.recipients.empty() ? nullptr : &settings.recipients);
    }
  }
  void write(std::string_view raw) {
    if (deduplicated_)
      deduplicated_->write(raw);
    else
      compressed_->write(raw);
  }
  volumes::PartRecord finish() { return deduplicated_ ? deduplicated_->finish() : compressed_->finish(); }
  volumes::DeduplicatedPart* deduplicated() { return deduplicated_ ? &*deduplicated_ : nullptr; }

 private:
  std::optional<volumes::CompressedPart> compressed_;
  std::optional<volumes::DeduplicatedPart> deduplicated_;
};

}  // namespace

bool PartWriter::deduplicating() {
  return staging_.chunks(settings_.encryption).has_value();
}

std::unique_ptr<volumes::StoredWriter> PartWriter::addFile(const std::string& name) {
  auto chunks = staging_.chunks(settings_.encryption);
  auto file = staging_.addPart(name);
  return chunks ? volumes::chunks::sealedWriter(std::move(file), chunks->keys) : std::move(file);
}

std::unique_ptr<volumes::StoredReader> PartWriter::openFile(const volumes::Repository& repository,
                                                            const std::string& project, const std::string& id,
                                                            const std::string& name) {
  auto chunks = staging_.chunks(settings_.encryption);
  auto file = repository.openPart(project, id, name);
  return chunks ? volumes::chunks::openedReader(std::move(file), chunks->keys) : std::move(file);
}

void PartWriter::writePart(const PlannedPart& planned,
                           const std::function<void(const base::ChunkSink&)>& produce) {
  write(planned, [&](PartSink& part, Progress::Part& shown) {
    produce([&](std::string_view raw) {
      tasks.checkpoint();
      part.write(raw);
      shown.bytes += raw.size();
    });
  });
}

void PartWriter::writeDeduplicatedPart(
    const PlannedPart& planned,
    const std::function<void(volumes::DeduplicatedPart&, const std::function<void(std::size_t)>&)>& produce) {
  write(planned, [&](PartSink& part, Progress::Part& shown) {
    if (!part.deduplicated())
      throw std::logic_error("writeDeduplicatedPart: parts are not deduplicated here");
    produce(*part.deduplicated(), [&](std::size_t n) {
      tasks.checkpoint();
      shown.bytes += n;
    });
  });
}

template <typename Produce>
void PartWriter::write(const PlannedPart& planned, const Produce& produce) {
  // An encrypted part is named for what `age -d` gives back: mysql.sql.zst.age. A chunked one keeps
  // its plain name: its chunks are sealed one by one, and it is never one age file.
  bool encrypted = !settings_.recipients.empty() && !deduplicating();
  std::string name = planned.name + (encrypted ? ".age" : "");
  volumes::PartRecord record{
      name, volumes::partKindName(planned.kind), planned.service, planned.source, 0, 0, "", "", "", 0};
  PartSink part(staging_, settings_, record);
  auto& shown = progress_.add(planned.name);
  auto started = Clock::now();
  try {
    produce(part, shown);
  } catch (...) {
    shown.done = true;  // abandoned: `part` goes without its file, and may be written again
    throw;
  }
  auto done = part.finish();
  progress_.finished(shown, done.size);
  std::lock_guard lock(mutex_);
  parts.push_back(done);
  timings[planned.name] = base::secondsSince(started);
}

void PartWriter::detail(const std::string& section, const std::string& key, nlohmann::json value) {
  std::lock_guard lock(mutex_);
  details[section][key] = std::move(value);
}

void whileArchiveTorn(const std::string& what, const std::function<void()>& copy, const std::string& remedy) {
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    try {
      copy();
      return;
    } catch (const base::TarError& e) {
      if (attempt == kAttempts) {
        throw BackupFailed(what + ": the engine's archive stream was torn " + std::to_string(kAttempts) +
                           " times (" + e.what() + "): files shrink or vanish while they are read. " +
                           remedy);
      }
      spdlog::warn(
          "{}: the engine's archive stream was torn ({}), as when a file shrinks or vanishes while "
          "it is read; reading it again ({} of {})",
          what, e.what(), attempt + 1, kAttempts);
    }
  }
}

void PartWriter::detail(const std::vector<std::string>& path, nlohmann::json value) {
  std::lock_guard lock(mutex_);
  nlohmann::json* at = &details;
  for (const auto& key : path) at = &(*at)[key];
  *at = std::move(value);
}

const compose::StackService& serviceOf(const compose::Stack& stack, const PlannedPart& part) {
  return stack.services.at(part.service);
}

std::string requireRunning(const compose::StackService& service) {
  std::string container = runningContainer(service);
  if (container.empty()) {
    throw BackupFailed("service " + service.name +
                       " is not running, so it cannot be dumped online: start it (docker compose start " +
                       service.name + ") or back up with --consistency stop");
  }
  return container;
}

}  // namespace agentchat
