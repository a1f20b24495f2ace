#include "volumes/tar_file_reader.hpp"

#include <algorithm>
#include <cstring>

namespace volumes {

namespace {

constexpr std::size_t kBlock = 512;

std::uint64_t octal(const char* field, std::size_t length) {
  // Base-256 (GNU) for large sizes: high bit of the first byte set.
  if (static_cast<unsigned char>(field[0]) & 0x80) {
    std::uint64_t value = static_cast<unsigned char>(field[0]) & 0x7f;
    for (std::size_t i = 1; i < length; ++i) value = (value << 8) | static_cast<unsigned char>(field[i]);
    return value;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < length && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') throw TarError("tar: malformed number in a header");
    value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  return value;
}

bool checksumOk(const char* block) {
  std::uint64_t stored = octal(block + 148, 8);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  return sum == stored;
}

// The path= record of a pax header, if any.
std::string paxPath(const std::string& records) {
  std::size_t at = 0;
  while (at < records.size()) {
    std::size_t space = records.find(' ', at);
    if (space == std::string::npos) break;
    std::size_t length = std::stoul(records.substr(at, space - at));
    if (length == 0 || at + length > records.size()) throw TarError("tar: malformed pax header");
    std::string record = records.substr(space + 1, length - (space - at) - 2);
    if (record.rfind("path=", 0) == 0) return record.substr(5);
    at += length;
  }
  return {};
}

}  // namespace

TarFileReader::TarFileReader(dockerapi::ChunkSink content) : content_(std::move(content)) {}

void TarFileReader::header(const char* block) {
  if (std::all_of(block, block + kBlock, [](char c) { return c == '\0'; })) {
    ended_ = true;  // end-of-archive marker
    return;
  }
  if (!checksumOk(block)) throw TarError("tar: header checksum mismatch (corrupt archive)");
  char type = block[156];
  std::uint64_t size = octal(block + 124, 12);
  remaining_ = size;
  padding_ = (kBlock - size % kBlock) % kBlock;
  inFile_ = false;
  metaType_ = 0;
  if (type == 'x' || type == 'L') {
    metaType_ = type;
    pendingMeta_.clear();
    if (size > 64 * 1024) throw TarError("tar: oversized extended header");
    return;
  }
  if (type == 'g') return;  // global pax header: nothing we need
  std::string name = !longName_.empty() ? longName_ : std::string(block, strnlen(block, 100));
  longName_.clear();
  if (type == '0' || type == '\0') {
    if (++files_ > 1) throw TarError("tar: expected one file, found another: " + name);
    name_ = name;
    size_ = size;
    inFile_ = true;
    return;
  }
  throw TarError("tar: expected a regular file, found entry type '" + std::string(1, type) + "' (" + name +
                 ")");
}

void TarFileReader::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (ended_) return;  // trailing zero blocks and padding
    if (remaining_ > 0) {
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, chunk.size()));
      if (inFile_) {
        content_(chunk.substr(0, take));
      } else if (metaType_ != 0) {
        pendingMeta_.append(chunk.substr(0, take));
      }
      remaining_ -= take;
      chunk.remove_prefix(take);
      if (remaining_ == 0 && metaType_ != 0) {
        if (metaType_ == 'L') longName_ = std::string(pendingMeta_.c_str());
        if (metaType_ == 'x') {
          std::string path = paxPath(pendingMeta_);
          if (!path.empty()) longName_ = path;
        }
        metaType_ = 0;
      }
      continue;
    }
    if (padding_ > 0) {
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(padding_, chunk.size()));
      padding_ -= take;
      chunk.remove_prefix(take);
      continue;
    }
    std::size_t take = std::min(kBlock - block_.size(), chunk.size());
    block_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (block_.size() == kBlock) {
      header(block_.data());
      block_.clear();
    }
  }
}

void TarFileReader::finish() {
  if (remaining_ > 0 || !block_.empty()) {
    throw TarError("tar: the archive ended inside " + (inFile_ ? name_ : std::string("a header")) +
                   " (truncated)");
  }
  if (files_ != 1) throw TarError("tar: the archive holds no regular file");
}

}  // namespace volumes
