#include "tests/support/fake_files.hpp"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "base/tar_walker.hpp"

namespace agentchat_test {

namespace {

std::string parentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string baseName(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool below(const std::string& path, const std::string& dir) {
  return dir.empty() || path == dir ||
         (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string header(const std::string& name, char type, std::uint64_t size, std::uint32_t mode,
                   std::int64_t mtime) {
  std::string block(512, '\0');
  std::memcpy(block.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  std::snprintf(block.data() + 100, 8, "%07o", mode & 07777);
  std::snprintf(block.data() + 108, 8, "%07o", 0);
  std::snprintf(block.data() + 116, 8, "%07o", 0);
  std::snprintf(block.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(block.data() + 136, 12, "%011llo", static_cast<unsigned long long>(mtime));
  block[156] = type;
  std::memcpy(block.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) sum += c;
  std::snprintf(block.data() + 148, 8, "%06o", sum);
  return block;
}

std::string padded(const std::string& payload) {
  return payload + std::string((512 - payload.size() % 512) % 512, '\0');
}

// One entry; names over 100 bytes go first in a GNU long-name entry, as Go's archive/tar may write.
std::string entry(const std::string& name, const FakeFile& file) {
  std::string out;
  if (name.size() > 100) out += header("././@LongLink", 'L', name.size() + 1, 0, 0) + padded(name + '\0');
  if (file.directory) return out + header(name, '5', 0, file.mode | 0111, file.mtime);
  return out + header(name, '0', file.content.size(), file.mode, file.mtime) + padded(file.content);
}

}  // namespace

std::string normalisedPath(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

void FileTree::write(const std::string& path, std::string content, std::int64_t mtime) {
  std::string name = normalisedPath(path);
  for (std::string dir = parentOf(name); !dir.empty(); dir = parentOf(dir)) mkdir(dir);
  entries_[name] = FakeFile{false, std::move(content), 0644, mtime};
}

void FileTree::mkdir(const std::string& path) {
  std::string name = normalisedPath(path);
  if (name.empty()) return;
  for (std::string dir = parentOf(name); !dir.empty(); dir = parentOf(dir)) {
    entries_.try_emplace(dir, FakeFile{true, {}, 0755, 1700000000});
  }
  entries_.try_emplace(name, FakeFile{true, {}, 0755, 1700000000});
}

bool FileTree::exists(const std::string& path) const {
  std::string name = normalisedPath(path);
  return name.empty() || entries_.count(name) > 0;
}

bool FileTree::isDirectory(const std::string& path) const {
  std::string name = normalisedPath(path);
  if (name.empty()) return true;
  auto it = entries_.find(name);
  return it != entries_.end() && it->second.directory;
}

const std::string& FileTree::read(const std::string& path) const {
  const auto& file = entries_.at(normalisedPath(path));
  if (file.directory) throw std::out_of_range(path + " is a directory");
  return file.content;
}

void FileTree::removeBelow(const std::string& path) {
  std::string name = normalisedPath(path);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = below(it->first, name) ? entries_.erase(it) : std::next(it);
  }
}

std::map<std::string, std::string> FileTree::files() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, file] : entries_) {
    if (!file.directory) out[name] = file.content;
  }
  return out;
}

std::string FileTree::archive(const std::string& path) const {
  bool contentsOnly = path == "." || path.ends_with("/.");
  std::string name = normalisedPath(path);
  if (!exists(name)) throw std::out_of_range("no such file or directory: " + path);
  std::string tar;
  // The engine names entries after the last component, or "." for "<dir>/.".
  std::string top = contentsOnly ? "." : (name.empty() ? "." : baseName(name));
  if (!isDirectory(name)) return entry(top, entries_.at(name)) + std::string(1024, '\0');
  tar += entry(top + "/", FakeFile{true, {}, 0755, 1700000000});
  for (const auto& [entryName, file] : entries_) {
    if (entryName == name || !below(entryName, name)) continue;
    std::string relative = name.empty() ? entryName : entryName.substr(name.size() + 1);
    tar += entry(top + "/" + relative + (file.directory ? "/" : ""), file);
  }
  return tar + std::string(1024, '\0');
}

dockerapi::PathStat FileTree::stat(const std::string& path) const {
  std::string name = normalisedPath(path);
  if (!exists(name)) throw std::out_of_range("no such file or directory: " + path);
  dockerapi::PathStat stat;
  stat.name = name.empty() ? "/" : baseName(name);
  if (isDirectory(name)) {
    stat.mode = 0x80000000u | 0755;
    stat.size = 4096;
  } else {
    stat.mode = entries_.at(name).mode;
    stat.size = static_cast<std::int64_t>(entries_.at(name).content.size());
  }
  stat.mtime = "2023-11-14T22:13:20Z";
  return stat;
}

void FileTree::extract(const std::string& path, const std::string& tar) {
  std::string root = normalisedPath(path);
  std::string current;
  base::TarEntry header;
  auto flush = [&] {
    if (header.name.empty()) return;
    std::string target = normalisedPath(root + "/" + header.name);
    if (header.type == '5') {
      mkdir(target);
    } else if (header.regular()) {
      write(target, current, header.mtime);
    }
    header = {};
    current.clear();
  };
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        flush();
        header = entry;
        if (header.name.empty()) header.name = ".";
        return true;
      },
      [&](std::string_view data) { current.append(data); });
  walker.feed(tar);
  walker.finish();
  flush();
}

}  // namespace agentchat_test
