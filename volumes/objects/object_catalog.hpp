#pragma once
// A bucket's catalog (issue #19): a line per object of an objects part, in key order, with what
// tells the next backup that the object did not change (size, the ETag it was listed with, the MD5
// of its bytes), its metadata and the chunks its content is. The next backup reuses those chunks instead of a
// GET.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "volumes/objects/object_entry.hpp"
#include "volumes/stored_bytes.hpp"
#include "volumes/zstd_lines.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes::objects {

struct CatalogObject {
  std::string key;  // below the prefix
  std::uint64_t size = 0;
  std::string etag, md5;                                      // as listed; of the bytes (lower-case hex)
  s3::ObjectMetadata metadata;                                // what the entry's header carries, for a reuse
  std::vector<std::pair<std::string, std::uint64_t>> chunks;  // name, raw size; empty: none to reuse
};

std::string catalogObjectLine(const CatalogObject& object);
CatalogObject parseCatalogObjectLine(std::string_view line);  // throws ObjectsError

// The same object by what a listing says: its size, and its ETag either as listed last time or the
// MD5 of the bytes read (what a single-part upload's ETag is, also after a restore uploaded it again).
// ETags compare without regard to case (OSS sends upper-case hex); an empty one matches nothing.
bool sameEtag(std::string_view a, std::string_view b);

bool unchanged(const CatalogObject& before, const s3::ObjectInfo& listed, std::string_view relativeKey);

class ObjectCatalogWriter {
 public:
  explicit ObjectCatalogWriter(std::unique_ptr<StoredWriter> file);
  void add(const CatalogObject& object);
  std::string close();  // its sha256
  std::uint64_t size() const { return file_->size(); }

 private:
  std::unique_ptr<StoredWriter> file_;
  ZstdCompressor zstd_;
};

// Read alongside a listing in the same key order: find() moves forward only.
class ObjectCatalogReader {
 public:
  explicit ObjectCatalogReader(std::unique_ptr<StoredReader> file);
  // The entry for `key`, or nullptr; keys asked for must not go backwards.
  const CatalogObject* find(const std::string& key);

 private:
  ZstdLines<ObjectsError> lines_;
  std::optional<CatalogObject> current_;
  bool ended_ = false;
};

}  // namespace volumes::objects
