#include "plugin/backup/backup_run.hpp"

#include "plugin/databases/database_login.hpp"
#include "volumes/compressed_part.hpp"

namespace agentchat {

using Clock = std::chrono::steady_clock;

void PartWriter::writePart(const PlannedPart& planned,
                           const std::function<void(const base::ChunkSink&)>& produce) {
  // An encrypted part is named for what `age -d` gives back: mysql.sql.zst.age.
  bool encrypted = !settings_.recipients.empty();
  std::string name = planned.name + (encrypted ? ".age" : "");
  volumes::PartRecord record{
      name, volumes::partKindName(planned.kind), planned.service, planned.source, 0, 0, "", ""};
  volumes::CompressedPart part(staging_.addPart(name), record, settings_.compressionLevel,
                               settings_.threadsPerPart, encrypted ? &settings_.recipients : nullptr);
  auto& shown = progress_.add(planned.name);
  auto started = Clock::now();
  produce([&](std::string_view raw) {
    tasks.checkpoint();
    part.write(raw);
    shown.bytes += raw.size();
  });
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
