#include "volumes/chunks/chunk_store.hpp"

#include <zstd.h>

#include <new>

#include "volumes/age_keys.hpp"

namespace volumes::chunks {

std::size_t largestBlob() {
  // age: a header under 1 KiB for one X25519 recipient, 16 bytes of tag per 64 KiB.
  return ZSTD_compressBound(kLargestChunk) + kLargestChunk / 4096 + 1024;
}

ChunkStore::ChunkStore(ChunkSpace& space, ChunkIndex& index, std::uint64_t packTarget)
    : space_(space),
      index_(index),
      packs_(
          space, [this](const std::vector<IndexEntry>& entries) { indexPack(entries); }, packTarget) {
  index_.refresh(space_);
}

std::optional<std::uint64_t> ChunkStore::find(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto length = packs_.pending(name)) return length;
  if (auto at = index_.locate(name)) return at->length;
  return std::nullopt;
}

void ChunkStore::put(const std::string& name, std::string blob, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (packs_.pending(name) || index_.contains(name)) return;
  packs_.add(name, blob, size);
}

void ChunkStore::finish() {
  std::lock_guard lock(mutex_);
  packs_.finish();
}

void ChunkStore::indexPack(const std::vector<IndexEntry>& entries) {
  index_.insert(entries, writeIndexFile(space_, entries));
}

std::string writeIndexFile(ChunkSpace& space, const std::vector<IndexEntry>& entries) {
  std::string text;
  for (const auto& e : entries) text += indexLine(e) + "\n";
  std::string path = indexPath(entries.front().at.pack);
  space.write(path, text);
  return path.substr(path.rfind('/') + 1);
}

bool decodeChunk(const ChunkKeys& keys, std::string_view blob, std::uint64_t size, const std::string& name,
                 std::string& raw, std::string* frame) {
  std::string opened;
  if (keys.seals()) {
    try {
      opened = keys.open(std::string(blob));
    } catch (const AgeError&) {
      return false;  // damaged, or sealed to another repository's key
    }
    blob = opened;
  }
  // One context per thread: ZSTD_decompress makes and frees one per call, which costs more than a
  // small chunk's decompression (a bucket of tiny objects is two such chunks an object).
  struct Context {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    ~Context() { ZSTD_freeDCtx(ctx); }
  };
  thread_local Context context;
  if (!context.ctx) throw std::bad_alloc();
  raw.resize(size);
  std::size_t got = ZSTD_decompressDCtx(context.ctx, raw.data(), raw.size(), blob.data(), blob.size());
  bool ok = !ZSTD_isError(got) && got == size && keys.name(raw) == name;
  if (ok && frame) frame->assign(blob);
  return ok;
}

}  // namespace volumes::chunks
