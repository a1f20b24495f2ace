#pragma once
// `verify --deep` for a sqlite part (plugin/backup/sqlite_parts.hpp): every database in it is opened
// with SQLite on this host and must pass PRAGMA integrity_check. No engine is needed.
#include "plugin/restore/restore_drill.hpp"

namespace agentchat {

DrillResult sqliteDrill(const volumes::PartRecord& part, const volumes::BackupRef& backup,
                        const volumes::PartKeys* keys);

}  // namespace agentchat
