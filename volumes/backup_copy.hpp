#pragma once
// One backup from a repository into another (local to S3 for the off-site copy, S3 back to local
// before a restore on a new host): each part as stored, still compressed and encrypted, streamed
// through with its size and sha256 checked against the manifest on the way; the manifest last, so
// the copy looks complete only when it is. Nothing is kept of a copy that fails. Into a repository
// with a deduplicated store, unencrypted parts arrive as chunks (only those it lacks are stored: a
// whole part is converted); from a store into a repository without one, a chunked part arrives as one
// .zst file (its blobs back to back, each checked on the way).
#include <cstdint>
#include <string>
#include <vector>

#include "volumes/age_keys.hpp"

#include "volumes/repository.hpp"

namespace volumes {

struct CopyResult {
  std::uint64_t parts = 0, bytes = 0;
};

// Call with `to`'s project lock held. Throws RepositoryError naming the part; refuses a backup
// `to` has already. An encrypted backup's chunked part that `to` cannot take as chunks (no store,
// or one encrypted otherwise) is sealed to `resealTo` (the backup's own recipients) as one age file.
CopyResult copyBackup(const Repository& from, Repository& to, const std::string& project,
                      const std::string& id, const std::vector<AgeRecipient>& resealTo = {});

}  // namespace volumes
