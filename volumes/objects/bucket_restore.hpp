#pragma once
// An objects part back into a bucket (issue #19): every object the bucket lacks or holds with other
// bytes is PUT again with its metadata (small ones in one request, large ones streamed in parts);
// an object already there (same size, and the ETag the backup listed or the MD5 of its bytes) is
// left alone, and so are objects the backup does not have, but for those a rollback names (what the
// failed restore created). Keys are never paths on this host.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/streams.hpp"
#include "volumes/objects/created_keys.hpp"
#include "volumes/objects/object_catalog.hpp"
#include "volumes/s3/client.hpp"

namespace volumes::objects {

struct RestoreCounts {
  std::uint64_t objects = 0, bytes = 0;             // in the backup
  std::uint64_t put = 0, putBytes = 0;              // uploaded
  std::uint64_t kept = 0, deleted = 0, others = 0;  // already there; removed; not in the backup, left
};

struct BucketRestoreOptions {
  std::string prefix;                                 // "" or ending in '/'
  const CreatedKeys* deleteUnlessInBackup = nullptr;  // rollback: keys the failed restore created
  std::function<void(const std::string&)> created;    // told each key PUT where there was none
  bool dryRun = false;
  std::uint64_t singlePutUpTo = 16 << 20;
};

// `part` is the objects part's tar stream; `catalog`, when the backup has it, gives each object's MD5.
RestoreCounts restoreBucket(s3::Client& client, const base::ChunkSource& part, ObjectCatalogReader* catalog,
                            const BucketRestoreOptions& options);

}  // namespace volumes::objects
