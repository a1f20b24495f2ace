#include "base/tar_walker.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace base {

namespace {

constexpr std::size_t kBlock = 512;

std::uint64_t octal(const char* field, std::size_t length) {
  // Base-256 (GNU) for large values: high bit of the first byte set.
  if (static_cast<unsigned char>(field[0]) & 0x80) {
    std::uint64_t value = static_cast<unsigned char>(field[0]) & 0x7f;
    for (std::size_t i = 1; i < length; ++i) value = (value << 8) | static_cast<unsigned char>(field[i]);
    return value;
  }
  std::uint64_t value = 0;
  std::size_t i = 0;
  while (i < length && field[i] == ' ') ++i;
  for (; i < length && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') throw TarError("tar: malformed number in a header");
    value = value * 8 + static_cast<std::uint64_t>(field[i] - '0');
  }
  // Only padding may follow: Go's archive/tar, the engine's reader, skips leading NULs and would
  // read a number that stands after them ("\0\0001000" is 512 to it).
  for (; i < length; ++i) {
    if (field[i] != '\0' && field[i] != ' ') throw TarError("tar: malformed number in a header");
  }
  return value;
}

// For fields nobody decides on (owner, mode): an unreadable one reads as 0.
std::uint64_t octalOrZero(const char* field, std::size_t length) {
  try {
    return octal(field, length);
  } catch (const TarError&) {
    return 0;
  }
}

bool checksumOk(const char* block) {
  std::uint64_t stored = octal(block + 148, 8);
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  return sum == stored;
}

// Calls `record(key, value)` for each "LEN key=value\n" record of a pax header.
template <typename F>
void paxRecords(const std::string& records, F record) {
  std::size_t at = 0;
  while (at < records.size()) {
    std::size_t space = records.find(' ', at);
    if (space == std::string::npos) throw TarError("tar: malformed pax header");
    std::size_t length = 0;
    try {
      length = std::stoul(records.substr(at, space - at));
    } catch (const std::exception&) {
      throw TarError("tar: malformed pax header");
    }
    if (length <= space - at + 1 || at + length > records.size()) throw TarError("tar: malformed pax header");
    std::string body = records.substr(space + 1, length - (space - at) - 2);
    auto equals = body.find('=');
    if (equals != std::string::npos) record(body.substr(0, equals), body.substr(equals + 1));
    at += length;
  }
}

}  // namespace

TarWalker::TarWalker(EntryHandler onEntry, std::function<void(std::string_view)> onData)
    : onEntry_(std::move(onEntry)), onData_(std::move(onData)) {}

TarWalker TarWalker::filter(EntryHandler keep, std::function<void(std::string_view)> raw) {
  TarWalker walker(std::move(keep), [](std::string_view) {});
  walker.raw_ = std::move(raw);
  return walker;
}

// Filter mode: bytes of extended headers wait in held_ until their entry is judged.
void TarWalker::passRaw(std::string_view bytes) {
  if (!raw_) return;
  if (inMeta_) {
    held_.append(bytes);
  } else if (kept_) {
    raw_(bytes);
  }
}

void TarWalker::header(const char* block) {
  if (std::all_of(block, block + kBlock, [](char c) { return c == '\0'; })) {
    ended_ = true;  // end-of-archive marker
    return;
  }
  if (!checksumOk(block)) throw TarError("tar: header checksum mismatch (corrupt archive)");
  char type = block[156];
  std::uint64_t size = octal(block + 124, 12);
  wanted_ = false;
  metaType_ = 0;
  if (type == 'x' || type == 'L' || type == 'K' || type == 'g') {
    if (size > 1024 * 1024) throw TarError("tar: oversized extended header");
    metaType_ = type;  // 'g', a global pax header, carries nothing we need but is kept in filter mode
    meta_.clear();
    // As Go's archive/tar (the engine's reader) takes them: a pax header replaces the one before
    // it, and a global header ends every extended header before it.
    if (type == 'x' || type == 'g') {
      paxPath_.clear();
      paxLinkpath_.clear();
      sparseName_.clear();
      paxSize_.reset();
      paxMtime_.reset();
      paxUid_.reset();
      paxGid_.reset();
      paxXattrs_.clear();
    }
    if (type == 'g') {
      longName_.clear();
      longLink_.clear();
    }
    inMeta_ = true;  // through its payload and padding
    if (raw_) held_.append(block, kBlock);
  } else {
    inMeta_ = false;
    entry_ = {};
    entry_.type = type;
    entry_.size = paxSize_.value_or(size);
    entry_.mtime = paxMtime_.value_or(static_cast<std::int64_t>(octal(block + 136, 12)));
    entry_.mode = static_cast<std::uint32_t>(octalOrZero(block + 100, 8) & 07777);
    entry_.uid = paxUid_.value_or(octalOrZero(block + 108, 8));
    entry_.gid = paxGid_.value_or(octalOrZero(block + 116, 8));
    entry_.xattrs = std::move(paxXattrs_);
    paxXattrs_.clear();
    // A GNU sparse file's own name, then a GNU long name, then a pax path, as Go ranks them.
    if (!sparseName_.empty() || !longName_.empty() || !paxPath_.empty()) {
      entry_.name = !sparseName_.empty() ? sparseName_ : !longName_.empty() ? longName_ : paxPath_;
    } else {
      std::string name(block, strnlen(block, 100));
      // POSIX ustar: a prefix field (345..500; 345..476 in star's variant) holds the leading
      // directories of long names. Other headers that say "ustar" (GNU's) keep times there, or
      // anything: read as Go's archive/tar does, the engine's reader, or refused when unclear.
      if (std::memcmp(block + 257, "ustar\0", 6) == 0) {
        std::size_t width = std::memcmp(block + 508, "tar\0", 4) == 0 ? 131 : 155;
        if (block[345] != '\0') name = std::string(block + 345, strnlen(block + 345, width)) + "/" + name;
      } else if (std::memcmp(block + 257, "ustar", 5) == 0 &&
                 std::any_of(block + 345, block + 500, [](char c) { return c != '\0'; })) {
        throw TarError("tar: a non-POSIX header with data in the ustar prefix field (its name is unclear)");
      }
      entry_.name = name;
    }
    entry_.linkTarget = !longLink_.empty()      ? longLink_
                        : !paxLinkpath_.empty() ? paxLinkpath_
                                                : std::string(block + 157, strnlen(block + 157, 100));
    longName_.clear();
    longLink_.clear();
    paxPath_.clear();
    paxLinkpath_.clear();
    sparseName_.clear();
    paxSize_.reset();
    paxMtime_.reset();
    paxUid_.reset();
    paxGid_.reset();
    // Only files (and GNU contiguous files) carry payload; other types' size field is informational.
    if (!entry_.regular() && type != '7') entry_.size = size;
    size = entry_.size;
    ++entries_;
    wanted_ = onEntry_(entry_);
    if (raw_) {
      kept_ = wanted_;
      if (kept_) {
        raw_(held_);
        raw_(std::string_view(block, kBlock));
      }
      held_.clear();
    }
  }
  remaining_ = size;
  padding_ = (kBlock - size % kBlock) % kBlock;
  if (remaining_ == 0 && metaType_ != 0) endOfMeta();
}

void TarWalker::endOfMeta() {
  if (metaType_ == 'g') meta_.clear();
  if (metaType_ == 'L') longName_ = std::string(meta_.c_str());
  if (metaType_ == 'K') longLink_ = std::string(meta_.c_str());
  if (metaType_ == 'x') {
    std::map<std::string, std::string> sparse;  // GNU.sparse.* records
    paxRecords(meta_, [&](const std::string& key, const std::string& value) {
      try {
        if (key == "path") paxPath_ = value;
        if (key.rfind("SCHILY.xattr.", 0) == 0 && key.size() > 13) {
          if (paxXattrs_.size() >= 256) throw TarError("tar: more than 256 xattr records on one entry");
          paxXattrs_.emplace_back(key.substr(13), value);
        }
        if (key == "linkpath") paxLinkpath_ = value;
        if (key == "size") paxSize_ = std::stoull(value);
        if (key == "mtime") paxMtime_ = static_cast<std::int64_t>(std::stod(value));
      } catch (const std::exception&) {
        throw TarError("tar: malformed pax " + key + " record");
      }
      try {  // informational, as the ustar fields are
        if (key == "uid") paxUid_ = std::stoull(value);
        if (key == "gid") paxGid_ = std::stoull(value);
      } catch (const std::exception&) {
      }
      if (key == "GNU.sparse.offset" || key == "GNU.sparse.numbytes") {
        sparse["GNU.sparse.map"] = "x";
      } else if (key.rfind("GNU.sparse.", 0) == 0) {
        if (value.empty()) {
          sparse.erase(key);
        } else {
          sparse[key] = value;
        }
      }
    });
    // A GNU sparse file names itself: Go takes that name when it knows the sparse format,
    // libarchive always. Where they would differ, the entry is refused.
    auto name = sparse.find("GNU.sparse.name");
    if (name != sparse.end()) {
      std::string major = sparse["GNU.sparse.major"], minor = sparse["GNU.sparse.minor"];
      bool known = (major == "0" && (minor == "0" || minor == "1")) || (major == "1" && minor == "0") ||
                   (major.empty() && minor.empty() && !sparse["GNU.sparse.map"].empty());
      if (!known) throw TarError("tar: a GNU.sparse.name record outside a known sparse format");
      sparseName_ = name->second;
    }
  }
  metaType_ = 0;
}

void TarWalker::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (ended_) return;  // trailing zero blocks and padding
    if (remaining_ > 0) {
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, chunk.size()));
      passRaw(chunk.substr(0, take));
      if (metaType_ != 0) {
        meta_.append(chunk.substr(0, take));
      } else if (wanted_) {
        onData_(chunk.substr(0, take));
      }
      remaining_ -= take;
      chunk.remove_prefix(take);
      if (remaining_ == 0 && metaType_ != 0) endOfMeta();
      continue;
    }
    if (padding_ > 0) {
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(padding_, chunk.size()));
      passRaw(chunk.substr(0, take));
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

void TarWalker::finish() {
  if (remaining_ > 0 || padding_ > 0 || !block_.empty() || metaType_ != 0) {
    throw TarError("tar: the archive ended inside " +
                   (entry_.name.empty() ? std::string("a header") : entry_.name) + " (truncated)");
  }
  if (raw_) raw_(std::string(2 * kBlock, '\0'));
}

void TarWalker::requireEnd() const {
  if (ended_) return;
  if (remaining_ > 0 || padding_ > 0 || !block_.empty() || metaType_ != 0) {
    throw TarError("tar: the archive ended inside " +
                   (entry_.name.empty() ? std::string("a header") : entry_.name) + " (truncated)");
  }
  throw TarError("tar: the archive has no end-of-archive marker (cut short after " +
                 std::to_string(entries_) + " entries)");
}

}  // namespace base
