#pragma once
// One stored part of a backup: a new file (0600, never overwriting) whose bytes are counted and
// hashed as they are written, so the manifest's size and sha256 cost no second read.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/sha256.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes {

// Writing to the repository failed; `full()` for ENOSPC/EDQUOT, so the message can say what to do.
class RepositoryError : public base::Error {
 public:
  RepositoryError(const std::string& message, bool full = false) : base::Error(message), full_(full) {}
  bool full() const { return full_; }
  std::string report() const override {
    return std::string(what()) +
           (full_ ? "\nThe repository's filesystem is full: free space there or point --repo elsewhere; "
                    "nothing was kept of this run."
                  : "");
  }

 private:
  bool full_;
};

class PartFile : public StoredWriter {
 public:
  explicit PartFile(std::filesystem::path path);  // creates it; throws RepositoryError
  ~PartFile() override;                           // removes the file if close() was not called
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  void write(std::string_view bytes) override;
  // fsyncs and closes; returns the sha256 of everything written.
  std::string close() override;
  std::uint64_t size() const override { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  base::Sha256 hash_;
};

// sha256 and size of an existing file, read in chunks.
struct FileDigest {
  std::string sha256;
  std::uint64_t size = 0;
};
FileDigest digestFile(const std::filesystem::path& path);

}  // namespace volumes
