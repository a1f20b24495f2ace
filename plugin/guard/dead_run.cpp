#include "plugin/guard/dead_run.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include "base/process_owner.hpp"
#include "base/utc_time.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"

namespace agentchat {

namespace {

// A run killed while the engine was stopping a container for it: the engine finishes that stop on
// its own, up to the stop timeout later. Found running and not restarted since the hold, the container
// may be about to go down, so wait for that stop to end (or its time to pass) before deciding.
dockerapi::ContainerInfo afterPendingStop(dockerapi::Engine& engine, const volumes::HeldContainer& held,
                                          dockerapi::ContainerInfo info) {
  if (!held.stopped || !info.running || info.paused || held.startedAt.empty() ||
      info.startedAt != held.startedAt)
    return info;
  const long long deadline = held.heldAt + held.stopTimeout + 5;
  while (info.running && static_cast<long long>(std::time(nullptr)) < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    info = engine.inspectContainer(held.id);
  }
  return info;
}

// Brings one container the dead run held back to running; returns what it did.
std::string resume(dockerapi::Engine& engine, const volumes::HeldContainer& held, const std::string& who) {
  dockerapi::ContainerInfo info;
  try {
    info = afterPendingStop(engine, held, engine.inspectContainer(held.id));
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
    return held.name + " was " + (held.stopped ? "stopped" : "paused") + " by " + who +
           " and no longer exists (recreated since?); nothing to resume";
  }
  try {
    if (info.paused) {
      engine.unpauseContainer(held.id);
      return "unpaused " + held.name + ", left paused by " + who;
    }
    // Running when the run took hold of it; stopped since (say, by an engine restart): started too,
    // so the stack is as the run found it.
    if (!info.running) {
      engine.startContainer(held.id);
      return "started " + held.name + ", left " + (held.stopped ? "stopped" : "paused") + " by " + who;
    }
  } catch (const dockerapi::EngineError& e) {
    throw std::runtime_error("could not resume " + held.name + ", left " +
                             (held.stopped ? "stopped" : "paused") + " by " + who + ": " + e.what() +
                             " — run `docker " + (held.stopped ? "start " : "unpause ") + held.name +
                             "`; the journal is kept until it runs");
  }
  return held.name + " is " + info.status + " already";
}

// A helper whose creator ("pid N on host H", see process_owner.hpp) is `who`, or a process of this
// host that no longer exists. A live run's helpers are never touched.
bool orphaned(const std::string& owner, const std::string& who) {
  if (!who.empty() && owner == who) return true;
  long pid = 0;
  char host[256] = {};
  if (std::sscanf(owner.c_str(), "pid %ld on host %255s", &pid, host) != 2 || pid <= 0) return false;
  if (host != base::hostName()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Removes the helpers orphaned() names, saying so in `done`.
void removeOrphanedHelpers(dockerapi::Engine& engine, const std::string& who,
                           std::vector<std::string>& done) {
  for (const auto& helper : engine.listContainers({{"label", {dockerapi::kHelperLabel}}}, true)) {
    auto owner = helper.labels.find(base::kOwnerLabel);
    if (owner == helper.labels.end() || !orphaned(owner->second, who)) continue;
    try {
      engine.removeContainer(helper.id, true);
    } catch (const dockerapi::EngineError& e) {
      // A helper whose run died ends on its own (its stdin closed) and the engine removes it: gone,
      // or going, it is what this step wants.
      bool going = e.kind() == dockerapi::ErrorKind::Conflict &&
                   e.engineMessage().find("already in progress") != std::string::npos;
      if (e.kind() != dockerapi::ErrorKind::NotFound && !going) throw;
    }
    done.push_back("removed the helper container " + helper.name + " of " + owner->second);
  }
}

// The engine completes a create request that a run sent just before it was killed, possibly after
// the first look for its helpers: the second look waits until such a request has had time to end.
constexpr auto kLateCreate = std::chrono::seconds(2);

}  // namespace

DeadRun recoverDeadRun(dockerapi::Engine& engine, volumes::Repository& repository, const std::string& project,
                       const volumes::ProjectLock& lock) {
  DeadRun dead;
  auto& done = dead.done;
  auto journalFile = repository.journalPath(project);
  auto journal = volumes::readJournal(journalFile);
  std::string who = lock.previousHolder();
  if (who.empty() && journal) who = "pid " + std::to_string(journal->pid) + " on host " + journal->host;
  if (!who.empty()) {
    std::string run = journal
                          ? "the " + journal->command + " run (" + who + ", started " + journal->started + ")"
                          : "the run " + who;
    // A lock file naming its holder: the process died. Only a journal: the run ended, but could not
    // resume everything (the engine was gone, say).
    done.push_back(run +
                   (lock.previousHolder().empty() ? " could not resume everything it held"
                                                  : " ended without finishing (killed or crashed)") +
                   "; undoing what it left");
  }
  if (journal && journal->command == "restore") {
    dead.dataAtRisk = true;
    done.push_back("the restore (" + journal->note +
                   ") stopped midway, so the data may be partly restored: restore again, or restore the "
                   "safety snapshot to return to the state before it (docker agentchat restore ID --yes)");
  }

  // Helpers first: they may hold the volumes the containers below need.
  auto firstLook = std::chrono::steady_clock::now();
  removeOrphanedHelpers(engine, who, done);
  if (journal) {
    for (auto it = journal->held.rbegin(); it != journal->held.rend(); ++it) {
      done.push_back(resume(engine, *it, "it"));
    }
    volumes::removeJournal(journalFile);
  }
  // With the lock held, a staging directory can only be a dead run's.
  for (const auto& id : repository.removeAbandoned(project)) {
    done.push_back("removed the unfinished backup " + id + " (it never had a manifest)");
  }
  if (!who.empty()) {
    std::this_thread::sleep_until(firstLook + kLateCreate);
    removeOrphanedHelpers(engine, who, done);
  }
  return dead;
}

DeadRun undoDeadRun(dockerapi::Engine& engine, volumes::Repository& repository, const std::string& project) {
  // The lock only when something may be left: a monitor's `status` must not get in a backup's way.
  // Helpers of processes that no longer exist are nobody's: removed without it.
  if (!repository.mayHoldDeadRun(project)) {
    DeadRun dead;
    removeOrphanedHelpers(engine, {}, dead.done);
    return dead;
  }
  std::unique_ptr<volumes::ProjectLock> lock;
  try {
    lock = repository.lock(project);
  } catch (const volumes::RepositoryError&) {
    return {};  // a live run holds it: nothing to undo
  }
  return recoverDeadRun(engine, repository, project, *lock);
}

bool undoDeadRunBeforePlanning(dockerapi::Engine& engine, volumes::Repository& repository,
                               const std::string& project) {
  auto dead = undoDeadRun(engine, repository, project);
  for (const auto& line : dead.done) spdlog::warn("{}", line);
  return !dead.done.empty();
}

ProjectRun startProjectRun(dockerapi::Engine& engine, volumes::Repository& repository,
                           const std::string& project, const std::string& command, const std::string& note) {
  ProjectRun run;
  run.lock = repository.lock(project);
  for (const auto& line : recoverDeadRun(engine, repository, project, *run.lock).done)
    spdlog::warn("{}", line);
  volumes::RunRecord record;
  record.pid = ::getpid();
  record.host = base::hostName();
  record.command = command;
  record.started = base::utcTimestamp();
  record.note = note;
  run.journal = std::make_unique<volumes::RunJournal>(repository.journalPath(project), std::move(record));
  return run;
}

}  // namespace agentchat
