#include "volumes/chunks/local_chunk_store.hpp"

#include <zstd.h>

#include <fstream>
#include <sstream>

#include "volumes/part_file.hpp"
#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace fs = std::filesystem;

namespace {
// Far above any chunk the chunker cuts: a damaged list or index cannot make a reader allocate more.
constexpr std::uint64_t kLargestChunk = 64 * 1024 * 1024;
}  // namespace

LocalChunkStore::LocalChunkStore(fs::path chunksDir, ChunkIndex& index, std::uint64_t packTarget)
    : dir_(std::move(chunksDir)),
      index_(index),
      packs_(
          dir_ / "packs", [this](const std::vector<IndexEntry>& entries) { indexPack(entries); },
          packTarget) {
  index_.refresh(dir_ / "index");
}

void LocalChunkStore::indexPack(const std::vector<IndexEntry>& entries) {
  fs::path indexDir = dir_ / "index";
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
  index_.insert(entries);
}

std::string chunkListLine(const ChunkRef& ref) {
  return ref.name + " " + std::to_string(ref.size);
}

void readChunkedPart(const fs::path& chunkList, const fs::path& chunksDir, ChunkIndex& index,
                     const ChunkNamer& namer, const base::ChunkSink& out) {
  std::ifstream list(chunkList);
  if (!list) throw RepositoryError("cannot read the chunk list " + chunkList.string());
  std::string line, blob, raw;
  for (int n = 1; std::getline(list, line); ++n) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t size = 0;
    if (!(fields >> name >> size))
      throw RepositoryError(chunkList.string() + " line " + std::to_string(n) + ": not NAME SIZE");
    if (size > kLargestChunk)
      throw RepositoryError(chunkList.string() + " line " + std::to_string(n) + ": a chunk of " +
                            std::to_string(size) + " bytes is larger than any the chunker cuts");
    auto at = index.locate(name);
    if (!at)
      throw RepositoryError("chunk " + name + " (" + chunkList.string() + " line " + std::to_string(n) +
                            ") is in no index file of " + chunksDir.string() + ": the repository lost it");
    if (at->length > ZSTD_compressBound(kLargestChunk))
      throw RepositoryError("chunk " + name + ": its index entry gives a blob of " +
                            std::to_string(at->length) + " bytes, larger than any chunk compresses to");
    fs::path pack = chunksDir / "packs" / at->pack.substr(0, 2) / at->pack;
    std::ifstream in(pack, std::ios::binary);
    blob.resize(at->length);
    in.seekg(static_cast<std::streamoff>(at->offset));
    in.read(blob.data(), static_cast<std::streamsize>(blob.size()));
    if (!in)
      throw RepositoryError("chunk " + name + ": cannot read " + std::to_string(at->length) + " bytes at " +
                            std::to_string(at->offset) + " of pack " + pack.string());
    raw.resize(size);
    std::size_t got = ZSTD_decompress(raw.data(), raw.size(), blob.data(), blob.size());
    if (ZSTD_isError(got) || got != size || namer.name(raw) != name)
      throw RepositoryError("chunk " + name + " in pack " + pack.string() +
                            " is damaged (its bytes do not match its name): restore from another copy of "
                            "the repository");
    out(raw);
  }
}

}  // namespace volumes::chunks
