#include "volumes/stored_bytes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "volumes/part_file.hpp"

namespace volumes {

namespace {

class StoredFile : public StoredReader {
 public:
  explicit StoredFile(const std::filesystem::path& path) : where_(path.string()) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw RepositoryError("cannot read part " + where_ + ": " + std::strerror(errno));
  }
  ~StoredFile() override { ::close(fd_); }
  StoredFile(const StoredFile&) = delete;
  StoredFile& operator=(const StoredFile&) = delete;

  std::size_t read(char* buffer, std::size_t capacity) override {
    while (true) {
      ssize_t got = ::read(fd_, buffer, capacity);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw RepositoryError("cannot read part " + where_ + ": " + std::strerror(errno));
      return static_cast<std::size_t>(got);
    }
  }
  const std::string& where() const override { return where_; }

 private:
  std::string where_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<StoredReader> openStoredFile(const std::filesystem::path& path) {
  return std::make_unique<StoredFile>(path);
}

}  // namespace volumes
