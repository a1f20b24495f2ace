#include "volumes/host_restore.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <exception>
#include <memory>
#include <vector>

#include "base/tar_walker.hpp"
#include "volumes/archive_reader.hpp"
#include "volumes/tar_guard.hpp"

namespace volumes {

namespace fs = std::filesystem;

namespace {

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

bool under(const fs::path& path, const fs::path& root) {
  const std::string &p = path.native(), &r = root.native();
  return p.compare(0, r.size(), r) == 0 && (p.size() == r.size() || p[r.size()] == '/');
}

}  // namespace

fs::path hostPathOf(const std::string& entryName, const fs::path& projectDir, const fs::path& hostRoot) {
  auto contained = containedPath(entryName);
  if (!contained) return {};
  if (contained->rfind("project/", 0) == 0) return (projectDir / contained->substr(8)).lexically_normal();
  if (*contained == "project") return projectDir.lexically_normal();
  if (contained->rfind("host/", 0) == 0) return (hostRoot / contained->substr(5)).lexically_normal();
  return {};
}

namespace {

// "host/srv/x/a" is under "host/srv/x"; so is "host/srv/x/" itself.
bool underOneOf(std::string name, const std::set<std::string>& roots) {
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  for (std::string prefix = name;; prefix.erase(prefix.rfind('/'))) {
    if (roots.count(prefix)) return true;
    if (prefix.find('/') == std::string::npos) return false;
  }
}

}  // namespace

HostRestoreResult restoreHostPaths(base::ChunkSource tar, const fs::path& projectDir,
                                   const std::vector<std::string>& replace, const std::vector<fs::path>& keep,
                                   const fs::path& hostRoot, const std::set<std::string>* only) {
  HostRestoreResult result;
  ArchiveReader reader(std::move(tar));
  auto failed = [&](struct archive* a, const std::string& what) -> ArchiveError {
    reader.rethrowIfFailed();
    return ArchiveError(what + ": " + (archive_error_string(a) ? archive_error_string(a) : "unknown error"));
  };
  if (!reader.opened()) throw failed(reader.get(), "reading the config part");
  ArchivePtr writer(archive_write_disk_new(), archive_write_free);
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
              ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_UNLINK;
  if (::geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(writer.get(), flags);
  archive_write_disk_set_standard_lookup(writer.get());

  TarGuard guard;
  std::set<fs::path> written;
  struct archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    base::TarEntry checked;
    checked.name = archive_entry_pathname(entry);
    auto type = archive_entry_filetype(entry);
    checked.type = type == AE_IFDIR ? '5' : type == AE_IFLNK ? '2' : type == AE_IFREG ? '0' : '3';
    if (archive_entry_hardlink(entry) != nullptr) {
      checked.type = '1';
      checked.linkTarget = archive_entry_hardlink(entry);
    } else if (type == AE_IFLNK && archive_entry_symlink(entry) != nullptr) {
      checked.linkTarget = archive_entry_symlink(entry);
    }
    guard.check(checked);  // throws base::TarError: nothing of this entry is written
    if (only != nullptr && !underOneOf(checked.name, *only)) {
      if (result.skipped.size() < 20) result.skipped.push_back(checked.name);
      archive_read_data_skip(reader.get());
      continue;
    }
    fs::path target = hostPathOf(checked.name, projectDir, hostRoot);
    if (target.empty()) throw base::TarError("entry " + checked.name + " is neither project/ nor host/");
    archive_entry_set_pathname(entry, target.c_str());
    if (checked.type == '1')
      archive_entry_set_hardlink(entry, hostPathOf(checked.linkTarget, projectDir, hostRoot).c_str());
    if (archive_write_header(writer.get(), entry) != ARCHIVE_OK)
      throw failed(writer.get(), "writing " + target.string());
    const void* block;
    size_t size;
    la_int64_t offset;
    int r;
    while ((r = archive_read_data_block(reader.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (archive_write_data_block(writer.get(), block, size, offset) != ARCHIVE_OK)
        throw failed(writer.get(), "writing " + target.string());
    }
    if (r != ARCHIVE_EOF) throw failed(reader.get(), "reading " + checked.name);
    if (archive_write_finish_entry(writer.get()) != ARCHIVE_OK)
      throw failed(writer.get(), "finishing " + target.string());
    written.insert(target);
    ++result.entries;
  }
  if (status != ARCHIVE_EOF) throw failed(reader.get(), "reading the config part");
  if (archive_write_close(writer.get()) != ARCHIVE_OK) throw failed(writer.get(), "setting directory times");

  // What the backup did not have goes, so each replaced directory is as it was backed up.
  for (const auto& name : replace) {
    fs::path dir = hostPathOf(name, projectDir, hostRoot);
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(fs::symlink_status(dir, ec))) continue;
    std::vector<fs::path> extra;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      fs::path p = it->path().lexically_normal();
      bool kept = false;
      for (const auto& k : keep)
        kept = kept || under(p, k.lexically_normal()) || under(k.lexically_normal(), p);
      if (kept || written.count(p)) continue;
      extra.push_back(p);
      if (it->is_directory(ec) && !it->is_symlink(ec)) it.disable_recursion_pending();
    }
    for (const auto& p : extra) {
      result.removed += fs::remove_all(p, ec);
      if (ec) throw ArchiveError("removing " + p.string() + ": " + ec.message());
    }
  }
  return result;
}

}  // namespace volumes
