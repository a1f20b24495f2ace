#pragma once
// A run killed with -9 (or by a power cut) runs no cleanup: containers it paused stay paused, those
// it stopped stay stopped, its helper containers and half-written backup directory stay. Whoever
// takes the project lock next — a backup or restore before it plans, or `status` — finds that here,
// undoes it and says what it did.
#include <memory>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "volumes/repository.hpp"
#include "volumes/run_journal.hpp"

namespace agentchat {

// Held for the whole of a backup or restore: the project lock and this run's journal.
struct ProjectRun {
  std::unique_ptr<volumes::ProjectLock> lock;
  std::unique_ptr<volumes::RunJournal> journal;
};

// Takes the project lock (RepositoryError naming the holder while a live run has it), undoes what a
// dead run left (logged as warnings), and opens this run's journal for a StackGuard. `note` goes
// into the journal (a restore: what it restores, its safety snapshot).
ProjectRun startProjectRun(dockerapi::Engine& engine, volumes::Repository& repository,
                           const std::string& project, const std::string& command,
                           const std::string& note = {});

struct DeadRun {
  std::vector<std::string> done;  // what was undone, a sentence each; empty: nothing was left
  bool dataAtRisk = false;        // a restore died midway: the data may be partly restored
};
// With the lock held. Throws (leaving the journal for another try) when a container cannot be resumed.
// When a run died holding the lock, its helpers are looked for twice, the second time 2 s after the
// first: the engine may still complete a container create the run sent just before it died.
DeadRun recoverDeadRun(dockerapi::Engine& engine, volumes::Repository& repository, const std::string& project,
                       const volumes::ProjectLock& lock);

// Without waiting: when something may be left and no live run holds the lock, takes it and
// recovers. Else only helper containers whose creator (a process of this host) no longer exists are
// removed: they are no live run's. Throws as recoverDeadRun does.
DeadRun undoDeadRun(dockerapi::Engine& engine, volumes::Repository& repository, const std::string& project);

// Before a backup or restore plans (the plan reads which containers run): undoes a dead run if one
// may have left something and no live run holds the lock. True when it changed containers, so the
// caller reloads the stack.
bool undoDeadRunBeforePlanning(dockerapi::Engine& engine, volumes::Repository& repository,
                               const std::string& project);

}  // namespace agentchat
