#pragma once
// Moves a stack to another engine after the checks passed: the source stopped (the moment a
// migration by hand runs `docker-compose down`), every volume streamed engine to engine into
// volumes of the same names, drivers and labels, the project's files written to a directory for
// the target host, the source started again, and then the target's data compared with the
// source's, table by table.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/migrate/migrate_checks.hpp"

namespace agentchat {

class MigrationFailed : public base::Error {
 public:
  using base::Error::Error;
};

struct MigrateSettings {
  std::string targetName;  // the target endpoint, for messages
  std::filesystem::path targetDir;
  std::filesystem::path repositoryRoot;  // never copied into the target directory
  bool online = false;  // databases by logical dumps, the source running; else raw with it stopped
  bool terminal = false;
};

struct Comparison {
  std::string service, subject;  // "mysql", "agentchat.user" | "redis", "db0"
  std::string source, target;    // row or key counts
  bool same() const { return source == target; }
};

struct MigrationReport {
  std::uint64_t bytes = 0;
  double seconds = 0;
  std::vector<std::string> volumes;
  std::vector<Comparison> comparisons;
  bool identical() const;
};

// Throws MigrationFailed saying what failed, that the source runs as before, and what was left on
// the target (it removes what it created there when the target still answers).
MigrationReport runMigration(dockerapi::Engine& source, const compose::Stack& stack,
                             dockerapi::Engine& target, const MigrationChecks& checks,
                             const MigrateSettings& settings);

}  // namespace agentchat
