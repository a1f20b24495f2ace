#include "plugin/dead_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "dockerapi/process_owner.hpp"
#include "plugin/utc_time.hpp"

namespace agentchat {

namespace {

// Brings one container the dead run held back to running; returns what it did.
std::string resume(dockerapi::Engine& engine, const volumes::HeldContainer& held, const std::string& who) {
  dockerapi::ContainerInfo info;
  try {
    info = engine.inspectContainer(held.id);
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

}  // namespace

std::vector<std::string> recoverDeadRun(dockerapi::Engine& engine, volumes::Repository& repository,
                                        const std::string& project, const volumes::ProjectLock& lock) {
  std::vector<std::string> done;
  auto journalFile = repository.journalPath(project);
  auto journal = volumes::readJournal(journalFile);
  std::string who = lock.previousHolder();
  if (who.empty() && journal) who = "pid " + std::to_string(journal->pid) + " on host " + journal->host;
  if (who.empty()) return done;  // the last run ended normally
  std::string run = journal
                        ? "the " + journal->command + " run (" + who + ", started " + journal->started + ")"
                        : "the run " + who;
  // A lock file naming its holder: the process died. Only a journal: the run ended, but could not
  // resume everything (the engine was gone, say).
  done.push_back(run +
                 (lock.previousHolder().empty() ? " could not resume everything it held"
                                                : " ended without finishing (killed or crashed)") +
                 "; undoing what it left");

  // Helpers first: they may hold the volumes the containers below need.
  for (const auto& helper :
       engine.listContainers({{"label", {std::string(dockerapi::kOwnerLabel) + "=" + who}}}, true)) {
    engine.removeContainer(helper.id, true);
    done.push_back("removed its helper container " + helper.name);
  }
  if (journal) {
    for (auto it = journal->held.rbegin(); it != journal->held.rend(); ++it) {
      done.push_back(resume(engine, *it, "it"));
    }
    volumes::removeJournal(journalFile);
  }
  for (const auto& id : repository.removeAbandoned(project)) {
    done.push_back("removed its unfinished backup " + id + " (it never had a manifest)");
  }
  return done;
}

ProjectRun startProjectRun(dockerapi::Engine& engine, volumes::Repository& repository,
                           const std::string& project, const std::string& command) {
  ProjectRun run;
  run.lock = repository.lock(project);
  for (const auto& line : recoverDeadRun(engine, repository, project, *run.lock)) spdlog::warn("{}", line);
  volumes::RunRecord record;
  record.pid = ::getpid();
  record.host = dockerapi::hostName();
  record.command = command;
  record.started = utcTimestamp();
  run.journal = std::make_unique<volumes::RunJournal>(repository.journalPath(project), std::move(record));
  return run;
}

}  // namespace agentchat
