#include "volumes/chunks/local_chunk_store.hpp"

#include <zstd.h>

#include <cstring>
#include <fstream>
#include <new>
#include <sstream>

#include "volumes/age_keys.hpp"
#include "volumes/part_file.hpp"
#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

namespace {
// Far above any chunk the chunker cuts: a damaged list or index cannot make a reader allocate more.
constexpr std::uint64_t kLargestChunk = 64 * 1024 * 1024;
}  // namespace

std::size_t largestBlob() {
  // age: a header under 1 KiB for one X25519 recipient, 16 bytes of tag per 64 KiB.
  return ZSTD_compressBound(kLargestChunk) + kLargestChunk / 4096 + 1024;
}

LocalChunkStore::LocalChunkStore(fs::path chunksDir, ChunkIndex& index, std::uint64_t packTarget)
    : dir_(std::move(chunksDir)),
      index_(index),
      packs_(
          dir_ / "packs", [this](const std::vector<IndexEntry>& entries) { indexPack(entries); },
          packTarget) {
  index_.refresh(dir_ / "index");
}

std::optional<std::uint64_t> LocalChunkStore::find(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto length = packs_.pending(name)) return length;
  if (auto at = index_.locate(name)) return at->length;
  return std::nullopt;
}

void LocalChunkStore::put(const std::string& name, std::string blob, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  if (packs_.pending(name) || index_.contains(name)) return;
  packs_.add(name, blob, size);
}

void LocalChunkStore::finish() {
  std::lock_guard lock(mutex_);
  packs_.finish();
}

void LocalChunkStore::indexPack(const std::vector<IndexEntry>& entries) {
  index_.insert(entries, writeIndexFile(dir_, entries));
}

std::string writeIndexFile(const fs::path& chunksDir, const std::vector<IndexEntry>& entries) {
  fs::path indexDir = chunksDir / "index";
  makePrivateDir(indexDir);
  fs::path final = indexDir / (entries.front().at.pack + ".tsv");
  {
    PartFile file(indexDir / ("partial-" + entries.front().at.pack));
    for (const auto& e : entries) file.write(indexLine(e) + "\n");
    file.close();
    std::error_code ec;
    fs::rename(file.path(), final, ec);
    if (ec) throw RepositoryError("cannot write the index file " + final.string() + ": " + ec.message());
  }
  syncDir(indexDir);
  return final.filename().string();
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

ChunkListReader::ChunkListReader(fs::path chunkList, fs::path chunksDir, ChunkIndex& index, ChunkKeys keys,
                                 std::string listSha256, bool blobs)
    : listPath_(std::move(chunkList)),
      chunksDir_(std::move(chunksDir)),
      where_(listPath_.string()),
      index_(index),
      keys_(std::move(keys)),
      listSha256_(std::move(listSha256)),
      list_(openStoredFile(listPath_)),
      blobs_(blobs) {}

std::size_t ChunkListReader::read(char* buffer, std::size_t capacity) {
  const std::string& out = blobs_ ? frame_ : raw_;
  while (rawAt_ == out.size()) {
    if (!nextChunk()) return 0;
  }
  std::size_t n = std::min(capacity, out.size() - rawAt_);
  std::memcpy(buffer, out.data() + rawAt_, n);
  rawAt_ += n;
  return n;
}

// The next line of the list into raw_: false at the end of the list (its sha256 checked).
bool ChunkListReader::nextChunk() {
  std::size_t eol;
  while ((eol = listBuffer_.find('\n')) == std::string::npos) {
    if (listEnded_) {
      if (!listBuffer_.empty())
        throw RepositoryError(where_ + ": the last line has no end (the chunk list was cut short)");
      if (!listSha256_.empty() && listHash_.hexDigest() != listSha256_)
        throw RepositoryError(where_ + ": sha256 mismatch: the chunk list changed since the backup");
      return false;
    }
    char input[64 * 1024];
    std::size_t got = list_->read(input, sizeof input);
    if (got == 0) {
      listEnded_ = true;
    } else {
      listHash_.update(std::string_view(input, got));
      listBuffer_.append(input, got);
    }
    if (listBuffer_.size() > 4096 && listBuffer_.find('\n') == std::string::npos)
      throw RepositoryError(where_ + ": a line longer than any chunk list has");
  }
  std::string line = listBuffer_.substr(0, eol);
  listBuffer_.erase(0, eol + 1);
  ++line_;
  std::istringstream fields(line);
  std::string name, rest;
  std::uint64_t size = 0;
  std::string at_line = where_ + " line " + std::to_string(line_);
  if (!(fields >> name >> size) || (fields >> rest)) throw RepositoryError(at_line + ": not NAME SIZE");
  if (size > kLargestChunk)
    throw RepositoryError(at_line + ": a chunk of " + std::to_string(size) +
                          " bytes is larger than any the chunker cuts");
  auto at = index_.locate(name);
  if (!at)
    throw RepositoryError("chunk " + name + " (" + at_line + ") is in no index file of " +
                          chunksDir_.string() + ": the repository lost it");
  if (at->length > largestBlob())
    throw RepositoryError("chunk " + name + ": its index entry gives a blob of " +
                          std::to_string(at->length) + " bytes, larger than any chunk compresses to");
  fs::path pack = chunksDir_ / "packs" / at->pack.substr(0, 2) / at->pack;
  // A part's chunks sit mostly in the same few packs, in order: the open pack is kept.
  if (at->pack != openPack_ || !packIn_) {
    packIn_ = std::ifstream(pack, std::ios::binary);
    openPack_ = at->pack;
  }
  blob_.resize(at->length);
  packIn_.seekg(static_cast<std::streamoff>(at->offset));
  packIn_.read(blob_.data(), static_cast<std::streamsize>(blob_.size()));
  if (!packIn_)
    throw RepositoryError("chunk " + name + ": cannot read " + std::to_string(at->length) + " bytes at " +
                          std::to_string(at->offset) + " of pack " + pack.string());
  rawAt_ = 0;
  if (!decodeChunk(keys_, blob_, size, name, raw_, blobs_ ? &frame_ : nullptr))
    throw RepositoryError("chunk " + name + " in pack " + pack.string() +
                          " is damaged (its bytes do not match its name): restore from another copy of "
                          "the repository");
  return true;
}

void readChunkedPart(const fs::path& chunkList, const fs::path& chunksDir, ChunkIndex& index,
                     const ChunkKeys& keys, const base::ChunkSink& out) {
  ChunkListReader reader(chunkList, chunksDir, index, keys);
  std::vector<char> buffer(1 << 20);
  while (std::size_t got = reader.read(buffer.data(), buffer.size()))
    out(std::string_view(buffer.data(), got));
}

}  // namespace volumes::chunks
