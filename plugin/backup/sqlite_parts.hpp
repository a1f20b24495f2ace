#pragma once
// SQLite databases in a volume (Vaultwarden, Uptime Kuma, many small apps, issue #20). The volume's
// own part copies them byte by byte while the app may be writing: a torn copy. For each database the
// volume scan found, a consistent copy is taken — through SQLite's online backup API (an exec of
// `sqlite3 .backup` in a running container that mounts the volume, when its image has sqlite3), else
// while every running container mounting the volume is paused (the file with its -wal and -journal,
// from the volume's helper) — opened with SQLite on this host (a hot journal rolled back, the WAL
// checkpointed in) and checked with PRAGMA integrity_check. The copies are one more part,
// sqlite-<key>.tar.zst, a tar with the paths, owners and modes the files have in the volume; the
// restore lays it over the volume part (restore_steps.cpp).
#include <string>
#include <vector>

#include "base/tar_walker.hpp"
#include "plugin/backup/backup_run.hpp"

namespace agentchat {

// "volume-data.tar.zst" -> "sqlite-data.tar.zst": the part holding that volume's databases.
std::string sqlitePartName(const std::string& volumePartName);

// After `volume`'s part was streamed from `helper` (the volume mounted read-only at
// HelperContainer::kVolumeMount): takes, checks and stores the copies of `found` (entries of that
// stream), and records them in the manifest's details["sqlite"][volume part]. Throws BackupFailed
// when a copy fails its integrity check twice.
void copySqliteDatabases(PartWriter& run, const PlannedPart& volume, const std::string& helper,
                         const std::vector<base::TarEntry>& found);

}  // namespace agentchat
