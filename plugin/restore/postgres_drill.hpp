#pragma once
// verify --deep for a PostgreSQL service: its roles script and every database dump of the backup
// loaded into a throwaway server of the image and command the service ran (so that
// shared_preload_libraries and extensions are there), then each database's catalog compared with
// the manifest's (row counts, columns, sequences, functions, triggers, views, extensions).
#include <string>
#include <vector>

#include "plugin/restore/restore_drill.hpp"

namespace agentchat {

// One result per PostgreSQL part of `service`; a failure to start the server or load the roles
// fails them all, naming why.
std::vector<DrillResult> postgresDrill(dockerapi::Engine& engine, const volumes::Manifest& manifest,
                                       const std::string& service, const volumes::BackupRef& backup,
                                       const volumes::PartKeys* keys);

}  // namespace agentchat
