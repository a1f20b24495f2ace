#include "volumes/objects/created_keys.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "volumes/objects/object_entry.hpp"

namespace volumes::objects {

namespace {

// A record: the key's length as 8 bytes (little-endian), then its bytes (a key may hold any byte).
void readAt(int fd, std::uint64_t offset, char* into, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::pread(fd, into, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw ObjectsError(std::string("the created keys' temporary file: ") + std::strerror(errno));
    into += n, offset += static_cast<std::uint64_t>(n), size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

CreatedKeys::CreatedKeys() : file_(std::tmpfile()) {
  if (!file_)
    throw ObjectsError(std::string("cannot make a temporary file for the keys a restore creates: ") +
                       std::strerror(errno));
}

CreatedKeys::~CreatedKeys() {
  std::fclose(file_);
}

void CreatedKeys::add(const std::string& key) {
  unsigned char length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(key.size() >> (8 * i));
  if (std::fwrite(length, 1, 8, file_) != 8 || std::fwrite(key.data(), 1, key.size(), file_) != key.size() ||
      std::fflush(file_) != 0)
    throw ObjectsError(std::string("the created keys' temporary file: ") + std::strerror(errno));
  ++count_;
  bytes_ += 8 + key.size();
}

bool CreatedKeys::Cursor::next() {
  if (offset_ >= keys_.bytes_) return false;
  unsigned char length[8];
  readAt(::fileno(keys_.file_), offset_, reinterpret_cast<char*>(length), 8);
  std::uint64_t size = 0;
  for (int i = 0; i < 8; ++i) size |= static_cast<std::uint64_t>(length[i]) << (8 * i);
  current_.resize(size);
  readAt(::fileno(keys_.file_), offset_ + 8, current_.data(), size);
  offset_ += 8 + size;
  return true;
}

bool CreatedKeys::Cursor::contains(const std::string& key) {
  for (;;) {
    if (!loaded_) {
      ended_ = !next();
      loaded_ = true;
    }
    if (ended_ || current_ > key) return false;
    if (current_ == key) return true;
    loaded_ = false;  // behind the key asked: read on
  }
}

}  // namespace volumes::objects
