#pragma once
// One object of a bucket as an objects part keeps it (issue #19, OBJECTS.md): a tar entry whose
// name is the key below the source's prefix made safe as a path, whose pax records hold what a PUT
// sets again (content type and encoding, user metadata) and whose content is the object's bytes.
// The key never becomes a path on this host: a restore PUTs it, and stock tar sees only safe names.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/tar_walker.hpp"
#include "volumes/s3/client.hpp"

namespace volumes::objects {

class ObjectsError : public base::Error {
 public:
  using base::Error::Error;
};

struct StoredObject {
  std::string key;  // below the source's prefix
  std::uint64_t size = 0;
  std::int64_t modifiedNs = 0;  // LastModified
  std::string etag;             // as listed when it was read
  s3::ObjectMetadata metadata;
};

// The key as a relative tar name: '%', control bytes, a '/' that would start, end or double a
// component and the dots of a "." or ".." component as %XX; the empty key (the prefix's own folder
// marker) as ".". Injective, so keyOfEntryName gives the key back.
std::string entryName(std::string_view key);
// nullopt for a name entryName cannot have made.
std::optional<std::string> keyOfEntryName(std::string_view name);

// The entry's pax header and ustar header (whole 512-byte blocks); its content follows.
std::string entryHeaders(const StoredObject& object);
// Back from a walked entry; throws ObjectsError for an entry that is not one of ours.
StoredObject objectOfEntry(const base::TarEntry& entry);

}  // namespace volumes::objects
