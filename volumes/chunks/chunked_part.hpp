#pragma once
// A part's stream cut into content-defined chunks, each named and handed to a blob store only when
// the store lacks it: the second backup of unchanged data writes nothing but the list of names.
#include <zstd.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/chunks/chunker.hpp"

namespace volumes::chunks {

// Where chunks go (a repository's packs; a map in tests). Blobs are one zstd frame each, so any
// chunk decompresses on its own.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // The stored blob's length when the store has the chunk already.
  virtual std::optional<std::uint64_t> find(const std::string& name) = 0;
  virtual void put(const std::string& name, std::string blob, std::uint64_t rawSize) = 0;
};

// One chunk of a part, in stream order.
struct ChunkRef {
  std::string name;
  std::uint64_t size = 0;    // raw bytes
  std::uint64_t stored = 0;  // its blob's bytes in the store
  bool added = false;        // this part brought it to the store
};

// One line of a part's chunk list: "NAME SIZE".
inline std::string chunkListLine(const ChunkRef& ref) {
  return ref.name + " " + std::to_string(ref.size);
}

class ChunkedPartWriter {
 public:
  using RefSink = std::function<void(const ChunkRef&)>;
  // `refs` receives each chunk in stream order, so a part of any size holds a few chunks in memory.
  // With `threads`, chunks are named (sha256), looked up and compressed on that many threads while the
  // stream is cut (at most threads + 2 chunks in flight); they still reach the store and `refs` in
  // stream order. The store's find() is then called from those threads.
  ChunkedPartWriter(BlobStore& store, const ChunkKeys& keys, RefSink refs, ChunkLimits limits = {},
                    int level = 3, int threads = 0);
  ~ChunkedPartWriter();
  ChunkedPartWriter(const ChunkedPartWriter&) = delete;
  ChunkedPartWriter& operator=(const ChunkedPartWriter&) = delete;

  void write(std::string_view bytes);
  // Ends the current chunk here: each file of a volume starts a chunk of its own, so an unchanged
  // file keeps its chunks whatever changed before it.
  void boundary();
  // A chunk the store has already, next in the stream (a file the previous backup read, unchanged):
  // the current chunk ends first. False, and nothing added, when the store lacks it.
  bool reuse(const std::string& name, std::uint64_t size);
  // Whether the store holds the chunk (before a reuse that must not stop half-way).
  bool has(const std::string& name) { return store_.find(name).has_value(); }
  // Every chunk stored and handed to `refs`.
  void finish();

  std::uint64_t rawBytes() const { return raw_; }
  std::uint64_t newRawBytes() const { return newRaw_; }
  std::uint64_t storedBytes() const { return stored_; }

 private:
  struct Job;
  void emit();
  void complete(std::size_t keep);                   // until at most `keep` jobs are in flight
  void process(Job& job, ZSTD_CCtx* context) const;  // names, looks up, compresses, seals
  BlobStore& store_;
  const ChunkKeys& keys_;
  RefSink refs_;
  Chunker chunker_;
  int level_;
  std::size_t max_;
  struct Compressor;
  std::unique_ptr<Compressor> compressor_;
  std::string chunk_;
  std::uint64_t raw_ = 0, newRaw_ = 0, stored_ = 0;
  // The compression threads and the chunks in flight, oldest first.
  std::deque<std::shared_ptr<Job>> inFlight_, queue_;
  std::vector<std::string> spare_;  // buffers of finished chunks, for the next ones
  std::mutex mutex_;
  std::condition_variable work_, done_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace volumes::chunks
