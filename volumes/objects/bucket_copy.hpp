#pragma once
// A bucket's objects into an objects part (issue #19): the listing is walked page by page in key
// order beside the previous backup's catalog; an object listed with the size and ETag the catalog
// knows is not fetched again (its chunks are reused), the others are fetched in parallel (small
// ones into a bounded window, large ones streamed) with If-Match on the listed ETag, so an object
// replaced or removed after it was listed is reported and left out, never mixed in.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/worker_pool.hpp"
#include "volumes/chunks/chunked_part.hpp"
#include "volumes/objects/object_catalog.hpp"
#include "volumes/objects/object_entry.hpp"

namespace volumes::objects {

// What the copy asks of the bucket: an s3::Client in the product (clientBucket), a fake in tests.
class Bucket {
 public:
  virtual ~Bucket() = default;
  virtual void list(const std::string& prefix,
                    const std::function<void(std::vector<s3::ObjectInfo>&)>& page) = 0;
  virtual s3::Fetched fetch(const std::string& key, const std::string& ifMatch,
                            const base::ChunkSink& sink) = 0;
  // The object's metadata and ETag without its bytes (HEAD), before a large one is streamed.
  virtual s3::Fetched describe(const std::string& key) = 0;
};
std::unique_ptr<Bucket> clientBucket(s3::Client& client);

// Where the part's bytes go: a deduplicated part (chunks reusable) or a plain stream.
struct PartOutput {
  std::function<void(std::string_view)> write;
  std::function<void()> boundary;                                // may be empty
  std::function<bool(const std::string&, std::uint64_t)> reuse;  // empty: nothing is reusable
  std::function<bool(const std::string&)> has;                   // the store holds this chunk
};

struct BucketCounts {
  std::uint64_t objects = 0, bytes = 0;  // in the part
  std::uint64_t fetched = 0, fetchedBytes = 0, reused = 0, reusedBytes = 0;
  std::uint64_t changed = 0, vanished = 0, archived = 0;  // listed, then left out
  std::uint64_t listPages = 0, requests = 0;              // requests: GETs and HEADs
  std::vector<std::string> warnings;                      // the first few, naming keys
  std::uint64_t warningCount = 0;
};

struct BucketCopyOptions {
  std::string prefix;                                 // the listing's prefix: "" or ending in '/'
  int parallel = 16;                                  // GETs in flight
  std::uint64_t windowBytes = 24 << 20;               // small objects held while earlier ones are written
  std::uint64_t streamAbove = 8 << 20;                // larger ones are streamed, one at a time
  std::function<void(const s3::ObjectInfo&)> listed;  // sees every listed object (referenced_by)
};

class BucketCopy {
 public:
  BucketCopy(Bucket& bucket, PartOutput out, ObjectCatalogReader* previous,
             std::unique_ptr<StoredWriter> catalog, BucketCopyOptions options);
  ~BucketCopy();
  BucketCopy(const BucketCopy&) = delete;
  BucketCopy& operator=(const BucketCopy&) = delete;
  // Observes the part's chunks in stream order (DeduplicatedPart::onChunk).
  void chunk(const chunks::ChunkRef& ref);
  // Every object, then the end of the archive. The part is then finished by its owner, then close().
  void run();
  std::string close();  // the catalog's sha256
  const BucketCounts& counts() const { return counts_; }
  std::uint64_t catalogSize() const { return catalog_.size(); }

 private:
  struct Pending;
  void page(std::vector<s3::ObjectInfo>& objects);
  // Its headers, then `content` writes its bytes and returns their MD5, then its padding.
  void put(const StoredObject& object, const std::function<std::string()>& content, bool reused);
  void warn(const std::string& warning);
  void settle();  // catalog lines whose chunks have all been seen

  Bucket& bucket_;
  PartOutput out_;
  ObjectCatalogReader* previous_;
  ObjectCatalogWriter catalog_;
  BucketCopyOptions options_;
  BucketCounts counts_;
  std::string lastKey_;                            // the last key listed: keys must come in ascending order
  std::uint64_t raw_ = 0;                          // bytes written to the part
  std::uint64_t chunkedTo_ = 0;                    // bytes the chunks seen so far cover
  std::vector<std::unique_ptr<Pending>> pending_;  // objects whose catalog line waits for chunks
  base::WorkerPool fetchers_;  // the small objects' GETs; last, so it stops before the rest goes
};

bool archivedClass(const std::string& storageClass);

}  // namespace volumes::objects
