#pragma once
// A deduplicated store under PREFIX/.chunks/ in a bucket: the layout of a directory's store, object
// for file. A pack is filled in a spool file on this host and put whole under its name once sealed,
// then its index file: a bucket never holds a partial pack, and an index file never names a pack that
// is not there. The lock and the index cache stay in this host's state directory.
#include <filesystem>
#include <memory>
#include <string>

#include "volumes/chunks/chunk_space.hpp"
#include "volumes/s3/client.hpp"

namespace volumes {

// `keyPrefix`: "prefix/.chunks/" (".chunks/" without a prefix); `url`: "s3://bucket/prefix/.chunks".
std::unique_ptr<chunks::ChunkSpace> s3ChunkSpace(s3::Client& client, std::string keyPrefix, std::string url,
                                                 std::filesystem::path localDir);

}  // namespace volumes
