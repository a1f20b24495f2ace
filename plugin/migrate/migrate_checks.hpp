#pragma once
// The migration checklist of README `migrate`, run on both engines before anything is changed: each check a
// line OK / WARN / FAIL. Any FAIL stops the migration with nothing created on the target.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

enum class CheckStatus { Ok, Warn, Fail };
const char* checkStatusName(CheckStatus status);

struct CheckLine {
  std::string check;
  CheckStatus status = CheckStatus::Ok;
  std::string detail;
};

struct MigrationChecks {
  std::vector<CheckLine> lines;
  std::uint64_t bytesToMove = 0;  // the stack's volumes on the source, as the engine reports them
  std::string targetHelperImage;  // an image present on the target, for helper containers
  bool failed() const;
};

// `environ`: for the endpoints of the stack's buckets (x-agentchat objects), as a backup finds them.
MigrationChecks checkMigration(dockerapi::Engine& source, const compose::Stack& stack,
                               dockerapi::Engine& target, const std::string& targetName,
                               const std::filesystem::path& targetDir,
                               const std::map<std::string, std::string>& environ = {});

// Bytes free where the target engine keeps volumes (a helper container runs df in a fresh volume).
std::uint64_t volumeSpaceFree(dockerapi::Engine& engine, const std::string& image);

}  // namespace agentchat
