// agentchat-lister: the small static program the plugin copies into a helper container (issue #17)
// so that a backup of a volume reads only the files that changed since the previous one.
//
//   agentchat-lister wait          sleeps as the helper's main process until it is removed
//   agentchat-lister walk ROOT     walks ROOT; stdin: the previous backup's catalog (LISTING.md)
//                                  stdout: frames, each a tag byte, a 4-byte big-endian length, a payload
//   agentchat-lister facts ROOT    only the facts of ROOT's regular files, read nothing (a backup
//                                  without a catalog reads the engine's archive, which is faster)
//   agentchat-lister reach HOST PORT  opens a TCP connection to HOST:PORT from where it runs (a
//                                  migration asks whether the target host reaches a bucket): exit 0
//                                  and "reached ADDRESS", or 1 and why not on stderr
//
// It depends on nothing but the C library, links statically and runs in any image (distroless too).
// It never follows a symlink, never decides on a file it could not stat twice, and reads whatever it
// is not sure of: the plugin re-checks what it reuses.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "volumes/listing/lister_protocol.hpp"

using volumes::listing::compareWalkOrder;
using volumes::listing::escapePath;

namespace {

constexpr int kProtocol = 1;
constexpr std::size_t kContentFrame = 1 << 20;
constexpr std::int64_t kRacyNs = 1000000000;  // a file changed this close to a listing is read again

[[noreturn]] void die(const std::string& what) {
  std::string line = "agentchat-lister: " + what + "\n";
  if (::write(2, line.data(), line.size()) < 0) {
  }
  std::_Exit(3);
}

// ---- output ----------------------------------------------------------------------------------
std::string out;

void flush() {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(1, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(std::string("writing to stdout: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  out.clear();
}

void frame(char tag, const char* data, std::size_t size) {
  char head[5] = {tag, static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                  static_cast<char>(size >> 8), static_cast<char>(size)};
  out.append(head, 5);
  out.append(data, size);
  if (out.size() >= kContentFrame) flush();
}
void frame(char tag, const std::string& payload) {
  frame(tag, payload.data(), payload.size());
}

std::int64_t ns(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// ---- the previous catalog, read in step with the walk -----------------------------------------
struct Previous {
  std::string path;
  std::uint64_t size = 0;
  std::int64_t mtime = 0, ctime = 0;
  std::uint64_t ino = 0;
  std::uint32_t mode = 0;
  std::uint64_t uid = 0, gid = 0;
  std::string flags;
  std::uint64_t index = 0;
};

class Catalog {
 public:
  void start() {
    std::string first;
    if (!line(first)) return;  // no previous backup: read everything
    long long version = 0, listedAt = 0;
    if (std::sscanf(first.c_str(), "agentchat-catalog %lld %lld", &version, &listedAt) != 2 || version != 1)
      die("stdin: not a catalog this lister reads");
    listedAt_ = listedAt;
    open_ = true;
    advance();
  }
  std::int64_t listedAt() const { return listedAt_; }

  // The previous entry for `path`, when the catalog has one.
  const Previous* find(const std::string& path) {
    while (has_ && compareWalkOrder(current_.path, path) < 0) advance();
    return has_ && current_.path == path ? &current_ : nullptr;
  }

 private:
  bool line(std::string& text) {
    text.clear();
    for (;;) {
      if (pos_ == len_) {
        ssize_t n = ::read(0, buffer_, sizeof buffer_);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die(std::string("reading stdin: ") + std::strerror(errno));
        if (n == 0) return !text.empty();
        pos_ = 0;
        len_ = static_cast<std::size_t>(n);
      }
      char* nl = static_cast<char*>(std::memchr(buffer_ + pos_, '\n', len_ - pos_));
      std::size_t end = nl ? static_cast<std::size_t>(nl - buffer_) : len_;
      text.append(buffer_ + pos_, end - pos_);
      pos_ = nl ? end + 1 : end;
      if (nl) return true;
    }
  }
  void advance() {
    std::string text;
    has_ = open_ && line(text);
    if (!has_) return;
    std::vector<std::string> f;
    std::size_t at = 0;
    for (;;) {
      std::size_t tab = text.find('\t', at);
      f.push_back(text.substr(at, tab == std::string::npos ? std::string::npos : tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    if (f.size() < 9) die("stdin: a catalog line has " + std::to_string(f.size()) + " fields");
    auto path = volumes::listing::unescapePath(f[0]);
    if (!path) die("stdin: a bad %-escape in a path");
    current_.path = *path;
    current_.size = std::strtoull(f[1].c_str(), nullptr, 10);
    current_.mtime = std::strtoll(f[2].c_str(), nullptr, 10);
    current_.ctime = std::strtoll(f[3].c_str(), nullptr, 10);
    current_.ino = std::strtoull(f[4].c_str(), nullptr, 10);
    current_.mode = static_cast<std::uint32_t>(std::strtoul(f[5].c_str(), nullptr, 8));
    current_.uid = std::strtoull(f[6].c_str(), nullptr, 10);
    current_.gid = std::strtoull(f[7].c_str(), nullptr, 10);
    current_.flags = f[8];
    current_.index = next_++;
  }
  char buffer_[1 << 16];
  std::size_t pos_ = 0, len_ = 0;
  bool open_ = false, has_ = false;
  Previous current_;
  std::uint64_t next_ = 0;
  std::int64_t listedAt_ = 0;
};

// ---- tar headers -----------------------------------------------------------------------------
// width - 1 zero-padded octal digits and a NUL (callers keep values within range).
void octal(char* field, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0; value >>= 3) field[i] = static_cast<char>('0' + (value & 7));
  field[width - 1] = '\0';
}

void paxRecord(std::string& records, const std::string& key, const std::string& value) {
  std::size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  std::size_t digits = std::to_string(body).size();
  while (std::to_string(body + digits).size() != digits) ++digits;
  records += std::to_string(body + digits) + " " + key + "=" + value + "\n";
}

void ustar(std::string& to, const std::string& name, char type, const struct stat& st, std::uint64_t size,
           const std::string& link) {
  char h[512] = {};
  std::memcpy(h, name.data(), std::min<std::size_t>(name.size(), 100));
  octal(h + 100, 8, st.st_mode & 07777);
  octal(h + 108, 8, st.st_uid <= 07777777 ? st.st_uid : 0);
  octal(h + 116, 8, st.st_gid <= 07777777 ? st.st_gid : 0);
  octal(h + 124, 12, size <= 077777777777ULL ? size : 0);
  octal(h + 136, 12, st.st_mtim.tv_sec > 0 ? static_cast<std::uint64_t>(st.st_mtim.tv_sec) : 0);
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  std::memcpy(h + 157, link.data(), std::min<std::size_t>(link.size(), 100));
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  if (type == '3' || type == '4') {
    octal(h + 329, 8, major(st.st_rdev));
    octal(h + 337, 8, minor(st.st_rdev));
  }
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  octal(h + 148, 7, sum);  // six digits, NUL, and the space already there
  to.append(h, 512);
}

// The entry's headers: a pax extended header first when a field does not fit ustar, as Docker's does.
std::string header(const std::string& name, char type, const struct stat& st, std::uint64_t size,
                   const std::string& link, const std::string& capability) {
  std::string records;
  if (name.size() > 100) paxRecord(records, "path", name);
  if (link.size() > 100) paxRecord(records, "linkpath", link);
  if (size > 077777777777ULL) paxRecord(records, "size", std::to_string(size));
  if (st.st_uid > 07777777) paxRecord(records, "uid", std::to_string(st.st_uid));
  if (st.st_gid > 07777777) paxRecord(records, "gid", std::to_string(st.st_gid));
  if (!capability.empty()) paxRecord(records, "SCHILY.xattr.security.capability", capability);
  std::string h;
  if (!records.empty()) {
    struct stat pax = st;
    pax.st_mode = 0644;
    ustar(h, "./PaxHeaders/" + name.substr(0, std::min<std::size_t>(name.size(), 80)).substr(2), 'x', pax,
          records.size(), "");
    h += records;
    h.append((512 - records.size() % 512) % 512, '\0');
  }
  ustar(h, name, type, st, size, link);
  return h;
}

// ---- the walk --------------------------------------------------------------------------------
struct Walk {
  bool factsOnly = false;
  std::string root;  // the walk's root, for calls that take a path
  Catalog previous;
  std::int64_t startedAt = 0;
  std::map<std::pair<dev_t, ino_t>, std::string> links;  // hardlinked files seen, by inode
  std::string buffer = std::string(kContentFrame, '\0');

  void meta(const std::string& path, const struct stat& st, std::uint64_t size, const std::string& flags) {
    std::string m = escapePath(path) + "\t" + std::to_string(size) + "\t" + std::to_string(ns(st.st_mtim)) +
                    "\t" + std::to_string(ns(st.st_ctim)) + "\t" + std::to_string(st.st_ino) + "\t";
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode));
    m += std::string(mode) + "\t" + std::to_string(st.st_uid) + "\t" + std::to_string(st.st_gid) + "\t" +
         flags;
    frame('E', m);
  }

  // File capabilities travel in the stream as Docker's archive carries them (and nothing else of xattrs).
  static std::string capability(int fd) {
    char value[256];
    ssize_t n = ::fgetxattr(fd, "security.capability", value, sizeof value);
    return n > 0 ? std::string(value, static_cast<std::size_t>(n)) : std::string();
  }
  // The same for a file that is not opened (reused): its header must be the one a read would give.
  std::string capability(const std::string& path) const {
    char value[256];
    ssize_t n = ::lgetxattr((root + "/" + path).c_str(), "security.capability", value, sizeof value);
    return n > 0 ? std::string(value, static_cast<std::size_t>(n)) : std::string();
  }

  bool unchanged(const Previous& p, const struct stat& st) const {
    return previous.listedAt() > 0 && startedAt >= previous.listedAt() &&
           p.flags.find('u') == std::string::npos && p.ctime < previous.listedAt() - kRacyNs &&
           p.size == static_cast<std::uint64_t>(st.st_size) && p.mtime == ns(st.st_mtim) &&
           p.ctime == ns(st.st_ctim) && p.ino == st.st_ino && p.mode == st.st_mode && p.uid == st.st_uid &&
           p.gid == st.st_gid;
  }

  void file(int dir, const char* leaf, const std::string& path, const struct stat& seen) {
    std::string name = "./" + path;
    if (factsOnly)
      return meta(path, seen, static_cast<std::uint64_t>(seen.st_size), seen.st_nlink > 1 ? "h" : "");
    if (seen.st_nlink > 1) {
      auto [it, first] = links.emplace(std::make_pair(seen.st_dev, seen.st_ino), name);
      if (!first) {
        frame('H', header(name, '1', seen, 0, it->second, ""));
        meta(path, seen, 0, "l");
        return;
      }
    }
    const Previous* p = seen.st_nlink == 1 ? previous.find(path) : nullptr;
    if (p && unchanged(*p, seen)) {
      frame('H', header(name, '0', seen, static_cast<std::uint64_t>(seen.st_size), "", capability(path)));
      std::uint64_t index = p->index;
      char be[8];
      for (int i = 0; i < 8; ++i) be[i] = static_cast<char>(index >> (56 - 8 * i));
      frame('R', be, 8);
      meta(path, seen, static_cast<std::uint64_t>(seen.st_size), "");
      return;
    }
    int fd = ::openat(dir, leaf, O_RDONLY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
    if (fd < 0 && errno == EPERM) fd = ::openat(dir, leaf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return frame('W', "vanished before it was read: " + path);
      die("cannot open " + path + ": " + std::strerror(errno));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return frame('W', "replaced while it was read: " + path);
    }
    std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    frame('H', header(name, '0', st, size, "", capability(fd)));
    std::uint64_t left = size;
    std::string flags;
    while (left > 0) {
      ssize_t n =
          ::read(fd, buffer.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, kContentFrame)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) die("reading " + path + ": " + std::strerror(errno));
      if (n == 0) {  // shrank: the header's size stands, zeros make it up, and the next backup reads it
        std::string zeros(static_cast<std::size_t>(std::min<std::uint64_t>(left, kContentFrame)), '\0');
        frame('D', zeros);
        left -= zeros.size();
        flags = "u";
        continue;
      }
      frame('D', buffer.data(), static_cast<std::size_t>(n));
      left -= static_cast<std::uint64_t>(n);
    }
    struct stat after;
    if (::fstat(fd, &after) != 0 || after.st_size != st.st_size || ns(after.st_mtim) != ns(st.st_mtim) ||
        ns(after.st_ctim) != ns(st.st_ctim))
      flags = "u";
    ::close(fd);
    if (!flags.empty()) frame('W', "changed while it was read: " + path);
    if (st.st_nlink > 1) flags += 'h';  // never reused: another name may change it
    meta(path, st, size, flags);
  }

  void entry(int dir, const char* leaf, const std::string& path) {
    struct stat st;
    if (::fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return frame('W', "vanished before it was read: " + path);
      die("cannot stat " + path + ": " + std::strerror(errno));
    }
    std::string name = "./" + path;
    if (S_ISREG(st.st_mode)) return file(dir, leaf, path, st);
    if (S_ISDIR(st.st_mode)) {
      int sub = ::openat(dir, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) {
        if (errno == ENOENT) return frame('W', "vanished before it was read: " + path);
        die("cannot open directory " + path + ": " + std::strerror(errno));
      }
      if (!factsOnly) {
        frame('H', header(name + "/", '5', st, 0, "", ""));
        meta(path, st, 0, "");
      }
      directory(sub, path + "/");
      return;
    }
    if (factsOnly) return;
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(dir, leaf, target.data(), target.size());
      if (n < 0) {
        if (errno == ENOENT) return frame('W', "vanished before it was read: " + path);
        die("cannot read link " + path + ": " + std::strerror(errno));
      }
      target.resize(static_cast<std::size_t>(n));
      frame('H', header(name, '2', st, 0, target, ""));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      frame('H', header(name, S_ISCHR(st.st_mode) ? '3' : S_ISBLK(st.st_mode) ? '4' : '6', st, 0, "", ""));
    } else {
      return frame('W', "left out (a socket): " + path);  // as Docker's archive does
    }
    meta(path, st, 0, "");
  }

  // `prefix` is the directory's path with a trailing '/' ("" for the root); `dir` is closed here.
  void directory(int dir, const std::string& prefix) {
    DIR* d = ::fdopendir(dir);
    if (!d) die("cannot read directory " + prefix + ": " + std::strerror(errno));
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        names.emplace_back(e->d_name);
    }
    if (errno != 0) die("cannot read directory " + prefix + ": " + std::strerror(errno));
    std::sort(names.begin(), names.end());
    for (const auto& name : names) entry(::dirfd(d), name.c_str(), prefix + name);
    ::closedir(d);
  }
};

int walk(const char* root, bool factsOnly) {
  auto w = std::make_unique<Walk>();
  w->factsOnly = factsOnly;
  w->root = root;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  w->startedAt = ns(now);
  w->previous.start();
  frame('V', "agentchat-lister " + std::to_string(kProtocol) + " " + std::to_string(w->startedAt));
  int dir = ::open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) die(std::string("cannot open ") + root + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(dir, &st) != 0) die(std::string("cannot stat ") + root + ": " + std::strerror(errno));
  if (!factsOnly) {
    frame('H', header("./", '5', st, 0, "", ""));
    w->meta("", st, 0, "");
  }
  w->directory(dir, "");
  frame('Z', "");
  flush();
  return 0;
}

// Every address HOST resolves to is tried in turn, each for up to 5 seconds.
int reach(const char* host, const char* port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host, port, &hints, &found); rc != 0) {
    std::fprintf(stderr, "cannot resolve %s: %s\n", host, ::gai_strerror(rc));
    return 1;
  }
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = "?";
    const void* raw = a->ai_family == AF_INET6
                          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr)
                          : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr);
    ::inet_ntop(a->ai_family, raw, text, sizeof text);
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        int ready = ::poll(&p, 1, 5000);
        socklen_t length = sizeof error;
        if (ready == 0) {
          error = ETIMEDOUT;
        } else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
          error = errno;
        }
      }
    }
    ::close(fd);
    if (error == 0) {
      std::printf("reached %s\n", text);
      ::freeaddrinfo(found);
      return 0;
    }
    why = std::string(text) + ": " + std::strerror(error);
  }
  ::freeaddrinfo(found);
  std::fprintf(stderr, "cannot reach %s port %s (%s)\n", host, port, why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "wait") == 0) {
    for (;;) ::pause();
  }
  if (argc == 3 && std::strcmp(argv[1], "walk") == 0) return walk(argv[2], false);
  if (argc == 3 && std::strcmp(argv[1], "facts") == 0) return walk(argv[2], true);
  if (argc == 4 && std::strcmp(argv[1], "reach") == 0) return reach(argv[2], argv[3]);
  die("usage: agentchat-lister wait | walk ROOT | facts ROOT | reach HOST PORT");
}
