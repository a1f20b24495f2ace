#include "volumes/chunks/chunk_list_reader.hpp"

#include <cstring>
#include <sstream>
#include <vector>

#include "volumes/chunks/chunk_store.hpp"
#include "volumes/part_file.hpp"

namespace volumes::chunks {

namespace {
// Bytes of other chunks a span may read over to join two of the part's: a file the backup did not
// change sits between changed ones.
constexpr std::uint64_t kLargestGap = 256 * 1024;
// A span of tiny chunks (tar headers) holds at most this many entries.
constexpr std::size_t kMostAhead = 16384;
}  // namespace

ChunkListReader::ChunkListReader(std::unique_ptr<StoredReader> list, const ChunkSpace& space,
                                 ChunkIndex& index, ChunkKeys keys, std::string listSha256, bool blobs,
                                 std::uint64_t span)
    : list_(std::move(list)),
      space_(space),
      where_(list_->where()),
      index_(index),
      keys_(std::move(keys)),
      listSha256_(std::move(listSha256)),
      spanLimit_(span),
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

bool ChunkListReader::parseLine() {
  std::size_t eol;
  while ((eol = listBuffer_.find('\n')) == std::string::npos) {
    if (listEnded_) {
      if (!listBuffer_.empty())
        throw RepositoryError(where_ + ": the last line has no end (the chunk list was cut short)");
      if (!listChecked_ && !listSha256_.empty() && listHash_.hexDigest() != listSha256_)
        throw RepositoryError(where_ + ": sha256 mismatch: the chunk list changed since the backup");
      listChecked_ = true;
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
  Next next;
  std::string rest;
  next.where = where_ + " line " + std::to_string(line_);
  if (!(fields >> next.name >> next.size) || (fields >> rest))
    throw RepositoryError(next.where + ": not NAME SIZE");
  if (next.size > kLargestChunk)
    throw RepositoryError(next.where + ": a chunk of " + std::to_string(next.size) +
                          " bytes is larger than any the chunker cuts");
  auto at = index_.locate(next.name);
  if (!at)
    throw RepositoryError("chunk " + next.name + " (" + next.where + ") is in no index file of " +
                          space_.where() + ": the repository lost it");
  if (at->length > largestBlob())
    throw RepositoryError("chunk " + next.name + ": its index entry gives a blob of " +
                          std::to_string(at->length) + " bytes, larger than any chunk compresses to");
  next.at = *at;
  ahead_.push_back(std::move(next));
  return true;
}

void ChunkListReader::readSpan() {
  const Next& first = ahead_.front();
  std::uint64_t start = first.at.offset, end = start + first.at.length;
  // The chunks after it in the list, while they follow it in the same pack closely enough.
  for (std::size_t i = 1;; ++i) {
    if (i == ahead_.size() && (i >= kMostAhead || !parseLine())) break;
    const BlobLocation& at = ahead_[i].at;
    if (at.pack != first.at.pack || at.offset < end || at.offset - end > kLargestGap ||
        at.offset + at.length - start > spanLimit_)
      break;
    end = at.offset + at.length;
  }
  spanPack_ = first.at.pack;
  spanStart_ = start;
  space_.readRange(packPath(spanPack_), start, end - start, span_);
  ++spansRead_;
}

bool ChunkListReader::nextChunk() {
  if (ahead_.empty() && !parseLine()) return false;
  const Next& next = ahead_.front();
  const BlobLocation& at = next.at;
  bool inSpan =
      at.pack == spanPack_ && at.offset >= spanStart_ && at.offset + at.length <= spanStart_ + span_.size();
  if (!inSpan) readSpan();
  std::string pack = space_.where(packPath(at.pack));
  if (at.offset < spanStart_ || at.offset + at.length > spanStart_ + span_.size())
    throw RepositoryError("chunk " + next.name + ": cannot read " + std::to_string(at.length) + " bytes at " +
                          std::to_string(at.offset) + " of pack " + pack + " (it is shorter)");
  std::string_view blob = std::string_view(span_).substr(at.offset - spanStart_, at.length);
  rawAt_ = 0;
  if (!decodeChunk(keys_, blob, next.size, next.name, raw_, blobs_ ? &frame_ : nullptr))
    throw RepositoryError("chunk " + next.name + " in pack " + pack +
                          " is damaged (its bytes do not match its name): restore from another copy of "
                          "the repository");
  ahead_.pop_front();
  return true;
}

void readChunkedPart(std::unique_ptr<StoredReader> list, const ChunkSpace& space, ChunkIndex& index,
                     const ChunkKeys& keys, const base::ChunkSink& out) {
  ChunkListReader reader(std::move(list), space, index, keys);
  std::vector<char> buffer(1 << 20);
  while (std::size_t got = reader.read(buffer.data(), buffer.size()))
    out(std::string_view(buffer.data(), got));
}

}  // namespace volumes::chunks
