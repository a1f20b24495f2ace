#include "volumes/part_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace volumes {

namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  int error = errno;
  bool full = error == ENOSPC || error == EDQUOT;
  std::string message = what + " " + path.string() + ": " + std::strerror(error);
  if (full) message += " (the backup repository's filesystem is full: free space or use another --repo)";
  throw RepositoryError(message, full);
}
}  // namespace

PartFile::PartFile(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("cannot create", path_);
  ::fchmod(fd_, 0600);  // whatever the umask
}

// Never closed: a part abandoned half-written (a failed or retried copy) must not look like one.
PartFile::~PartFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(path_.c_str());
}

void PartFile::write(std::string_view bytes) {
  hash_.update(bytes);
  size_ += bytes.size();
  while (!bytes.empty()) {
    ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) fail("cannot write", path_);
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::string PartFile::close() {
  if (::fsync(fd_) != 0) fail("cannot flush", path_);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot close", path_);
  return hash_.hexDigest();
}

FileDigest digestFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot read", path);
  base::Sha256 hash;
  FileDigest digest;
  std::vector<char> buffer(1 << 20);
  while (true) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      ::close(fd);
      fail("cannot read", path);
    }
    if (got == 0) break;
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    digest.size += static_cast<std::uint64_t>(got);
  }
  ::close(fd);
  digest.sha256 = hash.hexDigest();
  return digest;
}

}  // namespace volumes
