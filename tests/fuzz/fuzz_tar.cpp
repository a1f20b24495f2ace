// The tar reading a restore does on a part's (decompressed) bytes, on arbitrary input.
//
// checkPart(guardPaths) and GuardedTarSource (volume and log restores) walk the stream with
// TarWalker and judge every entry with TarGuard. Checked here:
//  - a refusal is a TarError, nothing else; the verdict and the bytes passed on do not depend on
//    how the stream arrives in chunks; what is passed on is again a well-formed tar stream;
//  - what GuardedTarSource passes on is what the engine unpacks, so it is unpacked on a model of a
//    file system the way the engine does (names cleaned lexically, link targets checked lexically,
//    symlinks on disk followed as the kernel follows them): no entry may land outside the target
//    (or outside `within`), no symlink may resolve outside it, no hardlink may reach a file
//    outside it, no device node or FIFO may get through;
//  - the engine's reader (Go's archive/tar, modelled here where it finds entries and what it
//    names them) sees exactly the entries the guard saw: an entry it finds and the guard never saw
//    would go unchecked. (libarchive, the config restore's reader, is checked end to end by
//    fuzz_host_restore: that restore guards what libarchive itself reads.)
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/tar_walker.hpp"
#include "tests/fuzz/tar_checksums.hpp"
#include "volumes/guarded_tar.hpp"

namespace {

using base::TarEntry;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_tar: %s\n", what.c_str());
  std::abort();
}

base::ChunkSource sourceOf(std::string_view bytes, std::size_t chunk) {
  auto at = std::make_shared<std::size_t>(0);
  return [bytes, chunk, at](char* buffer, std::size_t capacity) {
    std::size_t n = std::min({chunk, capacity, bytes.size() - *at});
    std::memcpy(buffer, bytes.data() + *at, n);
    *at += n;
    return n;
  };
}

struct Guarded {
  bool accepted = false;
  std::string out;
};

Guarded guarded(std::string_view input, std::size_t chunk, std::size_t readSize, const std::string& within) {
  Guarded result;
  try {
    volumes::GuardedTarSource source(sourceOf(input, chunk), within);
    std::vector<char> buffer(readSize);
    while (std::size_t n = source.read(buffer.data(), buffer.size())) result.out.append(buffer.data(), n);
    result.accepted = true;
  } catch (const base::TarError&) {
    result.out.clear();
  }
  return result;
}

// --- paths on the model file system: absolute, cleaned lexically ("/a/b") ---

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    std::size_t slash = std::min(path.find('/', at), path.size());
    parts.emplace_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

// What Go's filepath.Clean makes of an absolute path: ".." stops at the root.
std::string clean(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& p : components(path)) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(p);
    }
  }
  return join(parts);
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         (dir == "/" || path[dir.size()] == '/'));
}

std::string dirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string baseOf(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// The engine unpacking a tar stream into `root` (deep in the tree, so an escape shows as a path
// still in the model): what moby's archive.Untar does, and what the kernel then does with it.
class Disk {
 public:
  Disk(std::string root, const std::string& within)
      : root_(std::move(root)), target_(within.empty() ? root_ : root_ + "/" + within) {}

  // Unpacks one entry; false when the engine itself would stop here.
  bool unpack(const base::TarEntry& entry) {
    std::string path = clean(root_ + "/" + entry.name);
    if (!under(path, root_)) return false;  // the engine's breakout check
    auto parent = resolve(dirOf(path), true);
    if (!parent) return false;
    std::string real = *parent == "/" ? "/" + baseOf(path) : *parent + "/" + baseOf(path);
    if (path == root_) real = root_;
    if (!under(real, target_))
      fail("entry \"" + entry.name + "\" would be written at " + real + ", outside " + target_);
    if (real == root_ && entry.type != '5') fail("entry \"" + entry.name + "\" replaces the target itself");
    switch (entry.type) {
      case '5':
        put(real, {Kind::Dir, {}});
        break;
      case '0':
      case '\0':
      case '7':
        put(real, {Kind::File, {}});
        break;
      case '2':
        if (!under(clean(dirOf(path) + "/" + entry.linkTarget), root_)) return false;  // engine's check
        put(real, {Kind::Link, entry.linkTarget});
        break;
      case '1': {
        std::string to = clean(root_ + "/" + entry.linkTarget);
        if (!under(to, root_)) return false;  // engine's check
        auto toParent = resolve(dirOf(to), true);
        if (!toParent) return false;
        std::string toReal = *toParent == "/" ? "/" + baseOf(to) : *toParent + "/" + baseOf(to);
        if (!under(toReal, target_))
          fail("hardlink \"" + entry.name + "\" -> \"" + entry.linkTarget + "\" reaches " + toReal +
               ", outside " + target_);
        auto it = nodes_.find(toReal);
        put(real, it != nodes_.end() ? it->second : Node{Kind::File, {}});
        break;
      }
      default:
        fail(std::string("entry \"") + entry.name + "\" of type '" + entry.type + "' got through");
    }
    return true;
  }

  // After the last entry: where every symlink left behind leads.
  void finish() {
    for (const auto& [path, node] : nodes_) {
      if (node.kind != Kind::Link) continue;
      auto to = resolve(path, true);
      if (to && !under(*to, target_))
        fail("symlink " + path + " -> \"" + node.target + "\" resolves to " + *to + ", outside " + target_);
    }
  }

 private:
  enum class Kind { Dir, File, Link };
  struct Node {
    Kind kind;
    std::string target;
  };

  void put(const std::string& path, Node node) {
    auto it = nodes_.find(path);
    if (it != nodes_.end() && it->second.kind == Kind::Dir && node.kind == Kind::Dir) return;
    // Replaced: whatever was there goes, with everything below it.
    for (auto below = nodes_.lower_bound(path + "/"); below != nodes_.end() && under(below->first, path);)
      below = nodes_.erase(below);
    nodes_[path] = std::move(node);
  }

  // The kernel's lookup: symlinks followed (the last one only if `followLast`), ".." stops at "/".
  // nullopt for a loop or a lookup through a file.
  std::optional<std::string> resolve(const std::string& path, bool followLast) const {
    std::vector<std::string> todo;
    for (auto& p : components(path)) todo.push_back(p);
    std::reverse(todo.begin(), todo.end());
    std::vector<std::string> at;
    int hops = 0;
    while (!todo.empty()) {
      std::string part = todo.back();
      todo.pop_back();
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!at.empty()) at.pop_back();
        continue;
      }
      at.push_back(part);
      bool last = std::all_of(todo.begin(), todo.end(), [](const std::string& p) { return p.empty(); });
      auto it = nodes_.find(join(at));
      if (it == nodes_.end()) continue;
      if (it->second.kind == Kind::File && !last) return std::nullopt;
      if (it->second.kind != Kind::Link || (last && !followLast)) continue;
      if (++hops > 40) return std::nullopt;
      at.pop_back();
      const std::string& target = it->second.target;
      if (!target.empty() && target[0] == '/') at.clear();
      auto parts = components(target);
      for (auto p = parts.rbegin(); p != parts.rend(); ++p) todo.push_back(*p);
    }
    return join(at);
  }

  std::string root_, target_;
  std::map<std::string, Node> nodes_;
};

// --- the entries of a stream as each reader sees them ---

struct Seen {
  std::string name;  // cleaned, relative
  char kind;         // 'd' directory or file, 'l' symlink, 'h' hardlink
  std::string link;
  bool operator==(const Seen&) const = default;
};

std::string describe(const std::vector<Seen>& entries) {
  std::string out;
  for (const auto& e : entries) out += std::string(" [") + e.kind + " " + e.name + " -> " + e.link + "]";
  return out;
}

Seen seen(const std::string& name, char type, const std::string& link) {
  char kind = type == '2' ? 'l' : type == '1' ? 'h' : 'd';
  return {clean("/" + name), kind, kind == 'd' ? std::string() : link};
}

std::vector<base::TarEntry> walkerEntries(std::string_view tar) {
  std::vector<base::TarEntry> entries;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        entries.push_back(e);
        return false;
      },
      [](std::string_view) {});
  try {
    walker.feed(tar);
    walker.finish();
  } catch (const base::TarError& e) {
    fail(std::string("GuardedTarSource passed on a stream base::TarWalker cannot read: ") + e.what());
  }
  return entries;
}

// Where Go's archive/tar (the engine's reader) finds entries: numbers as its parseNumeric reads
// them, no payload for link, directory and device entries, an old-style regular entry named
// "x/" is a directory, a GNU long name wins over a pax path, each pax header replaces the one
// before, a global header ends what came before it. nullopt where Go would give up.
std::optional<std::int64_t> goNumber(const char* field, std::size_t length) {
  auto* b = reinterpret_cast<const unsigned char*>(field);
  if (b[0] & 0x80) {
    unsigned char inv = (b[0] & 0x40) ? 0xff : 0;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < length; ++i) {
      unsigned char c = b[i] ^ inv;
      if (i == 0) c &= 0x7f;
      if ((x >> 56) > 0) return std::nullopt;
      x = x << 8 | c;
    }
    if ((x >> 63) > 0) return std::nullopt;
    return inv ? ~static_cast<std::int64_t>(x) : static_cast<std::int64_t>(x);
  }
  std::size_t from = 0, to = length;
  while (from < to && (b[from] == ' ' || b[from] == 0)) ++from;
  while (to > from && (b[to - 1] == ' ' || b[to - 1] == 0)) --to;
  std::string text(field + from, to - from);
  text = text.substr(0, text.find('\0'));
  if (from == to) return 0;
  if (text.empty()) return std::nullopt;
  std::uint64_t x = 0;
  for (char c : text) {
    if (c < '0' || c > '7' || (x >> 61) > 0) return std::nullopt;
    x = x * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return static_cast<std::int64_t>(x);
}

std::optional<std::map<std::string, std::string>> goPax(std::string_view records) {
  std::map<std::string, std::string> out;
  while (!records.empty()) {
    auto space = records.find(' ');
    if (space == std::string_view::npos || space == 0) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : records.substr(0, space)) {
      if (c < '0' || c > '9' || n > (1u << 30)) return std::nullopt;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n < 5 || n > records.size() || n <= space + 1) return std::nullopt;
    std::string_view record = records.substr(space + 1, n - space - 2);
    if (records[n - 1] != '\n') return std::nullopt;
    auto eq = record.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string key(record.substr(0, eq)), value(record.substr(eq + 1));
    bool names = key == "path" || key == "linkpath" || key == "uname" || key == "gname";
    if (key.empty() || (names ? value : key).find('\0') != std::string::npos) return std::nullopt;
    if (key == "GNU.sparse.offset" || key == "GNU.sparse.numbytes") {
      out["GNU.sparse.map"] += value + ",";
    } else if (value.empty()) {
      out.erase(key);
    } else {
      out[key] = value;
    }
    records.remove_prefix(n);
  }
  return out;
}

std::optional<std::vector<Seen>> goEntries(std::string_view tar) {
  std::vector<Seen> entries;
  std::size_t at = 0;
  std::map<std::string, std::string> pax;
  std::string longName, longLink;
  auto block = [&](std::size_t offset) { return tar.substr(offset, 512); };
  while (true) {
    if (at + 512 > tar.size()) return std::nullopt;
    std::string_view b = block(at);
    if (std::all_of(b.begin(), b.end(), [](char c) { return c == 0; })) return entries;
    auto size = goNumber(b.data() + 124, 12);
    auto sum = goNumber(b.data() + 148, 8);
    if (!size || !sum || *size < 0) return std::nullopt;
    char type = b[156];
    std::string name(b.data(), strnlen(b.data(), 100));
    std::string link(b.data() + 157, strnlen(b.data() + 157, 100));
    std::string magic(b.data() + 257, 6), version(b.data() + 263, 2);
    bool ustar = magic == std::string("ustar\0", 6);
    bool gnu = magic == "ustar " && version == std::string(" \0", 2);
    if (ustar) {
      bool star = std::string(b.data() + 508, 4) == std::string("tar\0", 4);
      std::string prefix(b.data() + 345, strnlen(b.data() + 345, star ? 131 : 155));
      if (!prefix.empty()) name = prefix + "/" + name;
    } else if (gnu) {
      // Go reads access and change times here, and falls back to a prefix if they do not parse.
      auto atime = goNumber(b.data() + 345, 12), ctime = goNumber(b.data() + 357, 12);
      std::string prefix(b.data() + 345, strnlen(b.data() + 345, 155));
      if ((!atime || !ctime) && std::all_of(prefix.begin(), prefix.end(), [](char c) { return c > 0; }) &&
          !prefix.empty())
        name = prefix + "/" + name;
    }
    std::size_t payload = static_cast<std::size_t>(*size);
    at += 512;
    auto body = [&]() -> std::optional<std::string_view> {
      if (payload > tar.size() - at) return std::nullopt;
      return tar.substr(at, payload);
    };
    auto skip = [&](std::size_t bytes) { at += (bytes + 511) / 512 * 512; };
    if (type == 'x' || type == 'g') {
      auto data = body();
      if (!data) return std::nullopt;
      auto records = goPax(*data);
      if (!records) return std::nullopt;
      skip(payload);
      if (type == 'g') {
        pax.clear();
        longName.clear();
        longLink.clear();
        continue;  // a global header is an entry of its own to Go; the engine ignores it
      }
      pax = *records;
      continue;
    }
    if (type == 'L' || type == 'K') {
      auto data = body();
      if (!data) return std::nullopt;
      std::string text(*data);
      (type == 'L' ? longName : longLink) = text.substr(0, text.find('\0'));
      skip(payload);
      continue;
    }
    std::int64_t size64 = *size;
    for (const auto& [key, value] : pax) {
      if (key == "path") name = value;
      if (key == "linkpath") link = value;
      if (key == "size") {
        char* end = nullptr;
        errno = 0;
        long long v = std::strtoll(value.c_str(), &end, 10);
        if (errno != 0 || *end != '\0' || value.empty() || value[0] == ' ') return std::nullopt;
        size64 = v;
      }
    }
    if (!longName.empty()) name = longName;
    if (!longLink.empty()) link = longLink;
    if (type == '\0') type = !name.empty() && name.back() == '/' ? '5' : '0';
    // A pax GNU sparse file of a version Go knows takes its own name.
    std::string major = pax["GNU.sparse.major"], minor = pax["GNU.sparse.minor"];
    bool sparse = (major == "0" && (minor == "0" || minor == "1")) || (major == "1" && minor == "0") ||
                  (major.empty() && minor.empty() && !pax["GNU.sparse.map"].empty());
    if (sparse && !pax["GNU.sparse.name"].empty()) name = pax["GNU.sparse.name"];
    bool headerOnly = type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
    if (size64 < 0) return std::nullopt;
    std::uint64_t data = headerOnly ? 0 : static_cast<std::uint64_t>(size64);
    if (data > tar.size() - at) return std::nullopt;
    entries.push_back(seen(name, type, link));
    skip(static_cast<std::size_t>(data));
    pax.clear();
    longName.clear();
    longLink.clear();
  }
}

void unpack(const std::vector<base::TarEntry>& entries, const std::string& within) {
  Disk disk("/srv/a/b/c/d/e/f/g/h/target", within);
  for (const auto& entry : entries) {
    if (!disk.unpack(entry)) break;
  }
  disk.finish();
}

void check(std::string_view input) {
  std::size_t chunk = 1 + (input.empty() ? 0 : static_cast<unsigned char>(input.back()) * 7u % 1031u);
  Guarded whole = guarded(input, input.size() + 1, 1 << 16, "");
  Guarded pieces = guarded(input, chunk, 512 + chunk * 3, "");
  if (whole.accepted != pieces.accepted || whole.out != pieces.out)
    fail("the verdict depends on how the stream is chunked (chunk " + std::to_string(chunk) + ")");
  Guarded logs = guarded(input, input.size() + 1, 4096, "logs");
  if (logs.accepted && !whole.accepted) fail("accepted below logs/ but refused as a whole");

  for (const Guarded* run : {&whole, &logs}) {
    if (!run->accepted) continue;
    const std::string within = run == &logs ? "logs" : "";
    auto entries = walkerEntries(run->out);
    // The engine unpacks what the guard passed on: Go's reader must find exactly those entries.
    std::vector<Seen> ours;
    for (const auto& e : entries) ours.push_back(seen(e.name, e.type, e.linkTarget));
    auto go = goEntries(run->out);
    if (go && *go != ours)
      fail("Go's archive/tar would read other entries than the guard saw:\n  guard:" + describe(ours) +
           "\n  go:   " + describe(*go));
    unpack(entries, within);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check(input);
  std::string fixed = withTarChecksums(input);
  if (fixed != input) check(fixed);
  return 0;
}
