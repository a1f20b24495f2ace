#pragma once
// The keys a restore created in a bucket (where there was no object), kept in an unnamed temporary
// file, not in memory: a restore into an empty bucket creates every key of the backup. They are
// added in the restore's order, which is key order, so a rollback reads them back in one pass
// beside the bucket's listing.
#include <cstdint>
#include <cstdio>
#include <string>

namespace volumes::objects {

class CreatedKeys {
 public:
  CreatedKeys();
  ~CreatedKeys();
  CreatedKeys(const CreatedKeys&) = delete;
  CreatedKeys& operator=(const CreatedKeys&) = delete;

  void add(const std::string& key);  // keys ascending
  std::uint64_t size() const { return count_; }

  // Reads the keys from the first; contains() is asked keys in ascending order.
  class Cursor {
   public:
    explicit Cursor(const CreatedKeys& keys) : keys_(keys) {}
    bool contains(const std::string& key);

   private:
    bool next();
    const CreatedKeys& keys_;
    std::uint64_t offset_ = 0;
    std::string current_;
    bool loaded_ = false, ended_ = false;
  };

 private:
  std::FILE* file_;
  std::uint64_t count_ = 0, bytes_ = 0;
};

}  // namespace volumes::objects
