#pragma once
// The restore's steps, one per kind of part: each puts one part back into the target stack. They
// run with the app containers stopped (restore_runner.cpp) and throw RestoreStepFailed saying what
// failed and where; the runner then rolls back.
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "compose/credentials.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/cli/progress.hpp"
#include "plugin/guard/serving.hpp"
#include "plugin/guard/stack_guard.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "volumes/manifest.hpp"
#include "volumes/objects/created_keys.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/part_reader.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

class RestoreStepFailed : public base::Error {
 public:
  using base::Error::Error;
};

// What every step needs: the target stack and engine, the backup being restored, and the guard
// that records whatever is stopped.
struct RestoreContext {
  dockerapi::Engine& engine;
  const compose::Stack& stack;
  const volumes::Manifest& manifest;
  volumes::BackupRef backup;
  std::filesystem::path repositoryRoot;  // a local repository: never removed from a restored directory
  StackGuard& guard;
  Progress& progress;
  std::string helperImage;
  const volumes::PartKeys* keys = nullptr;                      // open an encrypted backup's parts
  const std::map<std::string, std::string>* environ = nullptr;  // the keys of the stack's buckets
  bool rollback = false;  // putting a safety snapshot back: what the failed restore created goes
  // Per objects entry, the keys a restore PUT where there was no object (a rollback removes them).
  std::map<std::string, volumes::objects::CreatedKeys>* createdObjects = nullptr;
};

// The part's bytes as they leave the repository, counted for the progress line.
base::ChunkSource countedPart(volumes::PartReader& reader, Progress::Part& shown);

// Recreates the dump's databases and streams the dump into the server through exec stdin.
void loadMysqlDump(RestoreContext& ctx, const RestoreItem& item);
// Replaces Redis's files with the backup's RDB and, when Redis runs with AOF, an append-only file
// rebuilt from it; starts Redis and waits until it has loaded.
void restoreRedis(RestoreContext& ctx, const RestoreItem& item);
// Empties the volume and unpacks the part into it.
void replaceVolume(RestoreContext& ctx, const RestoreItem& item);
// Lays a sqlite part's consistent database copies over the volume restored just before it.
void overlaySqliteFiles(RestoreContext& ctx, const RestoreItem& item);
// Compose files, .env, bind-mounted directories and file secrets back on this host.
void restoreConfig(RestoreContext& ctx, const RestoreItem& item);
// Log files back into the service's container (added; newer logs there are kept).
void restoreLogs(RestoreContext& ctx, const RestoreItem& item);
// A bucket's objects back (x-agentchat objects): what is missing or differs is PUT with its metadata.
void restoreObjects(RestoreContext& ctx, const RestoreItem& item);
// What restoreObjects would move, without moving it (restore --dry-run): the part is read, the
// bucket listed, nothing written.
void previewObjects(const volumes::BackupRef& backup, const volumes::Manifest& manifest,
                    const compose::Stack& stack, const RestoreItem& item, const volumes::PartKeys* keys,
                    const std::map<std::string, std::string>& environ, std::ostream& out);

}  // namespace agentchat
