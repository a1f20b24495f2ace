#pragma once
// Walks a tar stream as it arrives, entry by entry, holding no more than one 512-byte block and
// one extended header: the engine's archive streams can be larger than memory. Understands ustar,
// GNU long names and links and base-256 sizes, and pax headers (path, linkpath, size, mtime); a bad header
// checksum, an unknown number format or a stream that ends inside an entry is an error, never a guess.
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace base {

class TarError : public Error {
 public:
  using Error::Error;
};

struct TarEntry {
  std::string name;
  char type = '0';  // '0' file, '5' directory, '2' symlink, '1' hardlink, ...
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
  std::string linkTarget;  // symlinks ('2') and hardlinks ('1')
  // Owner and permission bits, so a file taken out of a stream can be written back as it was
  // (0 when a header's field is unreadable: they are informational, never a reason to refuse).
  std::uint32_t mode = 0;
  std::uint64_t uid = 0, gid = 0;
  // pax SCHILY.xattr.NAME records (NAME, value), in header order: an object's metadata in an
  // objects part (volumes/objects), and what GNU tar --xattrs and libarchive read as xattrs.
  std::vector<std::pair<std::string, std::string>> xattrs;
  bool regular() const { return type == '0' || type == '\0'; }
};

class TarWalker {
 public:
  // `onEntry` sees every entry's header; `onData` receives the payload of entries for which
  // onEntry returned true.
  using EntryHandler = std::function<bool(const TarEntry&)>;
  TarWalker(EntryHandler onEntry, std::function<void(std::string_view)> onData);
  // A filter: the raw bytes of each entry for which onEntry returns true (its extended headers,
  // header, payload and padding) go to `raw` unchanged, the others are dropped, and finish() ends
  // the output with the end-of-archive marker. The result is again a valid tar stream.
  static TarWalker filter(EntryHandler keep, std::function<void(std::string_view)> raw);

  void feed(std::string_view chunk);
  // Throws TarError if the stream ended inside a header or an entry's payload.
  void finish();
  // Throws TarError unless the stream ended with its end-of-archive marker: a stream cut between two
  // entries is as incomplete as one cut inside an entry.
  void requireEnd() const;
  std::uint64_t entries() const { return entries_; }
  bool ended() const { return ended_; }  // the end-of-archive marker was seen
  const std::string& current() const { return entry_.name; }

 private:
  void header(const char* block);
  void endOfMeta();
  void passRaw(std::string_view bytes);

  EntryHandler onEntry_;
  std::function<void(std::string_view)> onData_;
  std::string block_;            // a partial header block
  std::uint64_t remaining_ = 0;  // payload bytes left in the current entry
  std::uint64_t padding_ = 0;    // zero bytes after the payload up to the block boundary
  bool wanted_ = false;          // the payload goes to onData
  char metaType_ = 0;            // 'x' pax, 'L'/'K' GNU long name/link being read
  std::string meta_;
  std::string longName_;  // GNU long name and link ('L', 'K')
  std::string longLink_;
  std::string paxPath_;  // pax path and linkpath
  std::string paxLinkpath_;
  std::string sparseName_;  // a pax GNU sparse file's own name
  std::optional<std::uint64_t> paxSize_;
  std::optional<std::int64_t> paxMtime_;
  std::optional<std::uint64_t> paxUid_, paxGid_;
  std::vector<std::pair<std::string, std::string>> paxXattrs_;
  TarEntry entry_;
  std::function<void(std::string_view)> raw_;  // filter mode
  std::string held_;                           // raw bytes of extended headers, until their entry is judged
  bool kept_ = false;
  bool inMeta_ = false;  // the bytes being read belong to an extended header
  std::uint64_t entries_ = 0;
  bool ended_ = false;
};

}  // namespace base
