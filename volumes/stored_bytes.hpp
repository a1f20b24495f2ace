#pragma once
// A part's stored bytes as a repository hands them out and takes them in, whatever keeps them: a
// file in a local directory, an object in an S3 bucket. Readers pull, writers count and hash.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace volumes {

class StoredReader {
 public:
  virtual ~StoredReader() = default;
  // Fills up to `capacity` bytes; 0 at the end. Throws RepositoryError naming the part.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
  // For messages: "/srv/backups/p/ID/mysql.sql.zst", "s3://bucket/p/ID/mysql.sql.zst".
  virtual const std::string& where() const = 0;
};

class StoredWriter {
 public:
  virtual ~StoredWriter() = default;  // without close(): what was written is not kept
  virtual void write(std::string_view bytes) = 0;
  // Makes the bytes durable; returns the sha256 of everything written.
  virtual std::string close() = 0;
  virtual std::uint64_t size() const = 0;
};

// A local file, read in order. Throws RepositoryError when it cannot be opened.
std::unique_ptr<StoredReader> openStoredFile(const std::filesystem::path& path);

}  // namespace volumes
