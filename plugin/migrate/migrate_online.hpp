#pragma once
// The online way of moving the databases: the source keeps running. The app containers are paused
// while MySQL's dump takes its transaction snapshot and Redis forks its save (about a second, as in
// an online backup); the dump streams straight into a stand-in MySQL on the target that has just
// initialised the target's empty volume, and the RDB into the target's Redis volume.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/cli/progress.hpp"
#include "plugin/guard/stack_guard.hpp"

namespace agentchat {

// service -> (table or Redis db -> rows or keys) as the snapshot held them: what the target must have.
using SnapshotCounts = std::map<std::string, std::map<std::string, std::string>>;

// `hold`: the running app containers to pause around the snapshots. The databases' volumes must
// exist, empty, on the target. Adds the bytes of the dumps and RDB files to `bytes`.
SnapshotCounts moveDatabasesOnline(dockerapi::Engine& source, const compose::Stack& stack,
                                   dockerapi::Engine& target, StackGuard& guard, Progress& progress,
                                   const std::vector<compose::StackContainer>& hold, std::uint64_t& bytes);

}  // namespace agentchat
