#pragma once
// A run killed with -9 (or by a power cut) runs no cleanup: containers it paused stay paused, those
// it stopped stay stopped, its helper containers and half-written backup directory stay. Whoever
// takes the project lock next — a backup, a restore, or `status` — finds that here, undoes it and
// says what it did.
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
// dead run left (logged as warnings), and opens this run's journal for a StackGuard.
ProjectRun startProjectRun(dockerapi::Engine& engine, volumes::Repository& repository,
                           const std::string& project, const std::string& command);

// With the lock held: what recovering a dead run did, a sentence each; empty when the last run ended
// normally. Throws (leaving the journal for another try) when a container cannot be resumed.
std::vector<std::string> recoverDeadRun(dockerapi::Engine& engine, volumes::Repository& repository,
                                        const std::string& project, const volumes::ProjectLock& lock);

}  // namespace agentchat
