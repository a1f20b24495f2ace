#pragma once
// The file trees behind the fake engine's volumes and containers, and the tar streams the archive
// endpoints make of them and take into them, shaped as the real engine's are.
#include <cstdint>
#include <map>
#include <string>

#include "dockerapi/types.hpp"

namespace agentchat_test {

struct FakeFile {
  bool directory = false;
  std::string content;
  std::uint32_t mode = 0644;
  std::int64_t mtime = 1700000000;
};

// Paths relative to the tree's root, without a leading '/' ("a/b.txt"); "" is the root itself.
// Parent directories are not required to be listed: a file implies them.
class FileTree {
 public:
  void write(const std::string& path, std::string content, std::int64_t mtime = 1700000000);
  void mkdir(const std::string& path);
  bool exists(const std::string& path) const;
  bool isDirectory(const std::string& path) const;
  // The content of a file; throws std::out_of_range when there is none.
  const std::string& read(const std::string& path) const;
  void removeBelow(const std::string& path);  // the path and everything under it
  // Every file (not directory) with its content: what tests compare.
  std::map<std::string, std::string> files() const;
  bool empty() const { return entries_.empty(); }

  // GET /archive of `path` (relative): a tar whose entries are named from the last path component
  // ("dump.rdb", "dir/", "dir/x"), or, for "<dir>/.", relative to the directory ("./", "./x").
  // Throws std::out_of_range when the path does not exist.
  std::string archive(const std::string& path) const;
  dockerapi::PathStat stat(const std::string& path) const;
  // PUT /archive into the directory `path`: extracts the tar (throws base::TarError when malformed).
  void extract(const std::string& path, const std::string& tar);

 private:
  std::map<std::string, FakeFile> entries_;
};

// "a//b/./c/" -> "a/b/c"; "/" and "." -> "".
std::string normalisedPath(const std::string& path);

}  // namespace agentchat_test
