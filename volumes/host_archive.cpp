#include "volumes/host_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <exception>
#include <memory>
#include <vector>

namespace volumes {

namespace fs = std::filesystem;

namespace {

struct Output {
  const base::ChunkSink* sink;
  HostArchiveResult* result;
  std::exception_ptr failure;
};

la_ssize_t onWrite(struct archive*, void* data, const void* buffer, size_t length) {
  auto* out = static_cast<Output*>(data);
  try {
    (*out->sink)(std::string_view(static_cast<const char*>(buffer), length));
    out->result->bytes += length;
    return static_cast<la_ssize_t>(length);
  } catch (...) {
    out->failure = std::current_exception();
    return -1;
  }
}

using ArchivePtr = std::unique_ptr<struct archive, int (*)(struct archive*)>;

[[noreturn]] void fail(struct archive* a, const std::string& what, Output& out) {
  if (out.failure) std::rethrow_exception(out.failure);
  throw ArchiveError(what + ": " + (archive_error_string(a) ? archive_error_string(a) : "unknown error"));
}

// pax for long names and big sizes; the output goes to `out` as it is made.
ArchivePtr openWriter(Output& out) {
  ArchivePtr writer(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(writer.get());
  archive_write_set_bytes_in_last_block(writer.get(), 1);
  if (archive_write_open2(writer.get(), &out, nullptr, onWrite, nullptr, nullptr) != ARCHIVE_OK) {
    fail(writer.get(), "cannot start the archive", out);
  }
  return writer;
}

}  // namespace

HostArchiveResult archiveHostPaths(const std::vector<HostEntry>& entries, const base::ChunkSink& tar,
                                   const std::vector<fs::path>& excludes) {
  auto excluded = [&](const std::string& path) {
    for (const auto& ex : excludes) {
      const std::string& e = ex.native();
      if (path.compare(0, e.size(), e) == 0 && (path.size() == e.size() || path[e.size()] == '/'))
        return true;
    }
    return false;
  };
  HostArchiveResult result;
  Output out{&tar, &result, nullptr};
  ArchivePtr writer = openWriter(out);
  std::vector<char> buffer(1 << 20);
  for (const auto& item : entries) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(item.source, ec))) {
      throw ArchiveError("cannot archive " + item.source.string() + ": no such file or directory");
    }
    ArchivePtr disk(archive_read_disk_new(), archive_read_free);
    archive_read_disk_set_standard_lookup(disk.get());
    archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
    if (archive_read_disk_open(disk.get(), item.source.c_str()) != ARCHIVE_OK) {
      fail(disk.get(), "cannot read " + item.source.string(), out);
    }
    std::string root = item.source.string();
    while (true) {
      struct archive_entry* entry = archive_entry_new();
      int rc = archive_read_next_header2(disk.get(), entry);
      if (rc == ARCHIVE_EOF) {
        archive_entry_free(entry);
        break;
      }
      if (rc < ARCHIVE_WARN) {
        archive_entry_free(entry);
        fail(disk.get(), "cannot read " + item.source.string(), out);
      }
      if (excluded(archive_entry_sourcepath(entry))) {
        archive_entry_free(entry);
        continue;  // not descended into either
      }
      // Sockets, FIFOs and devices are not configuration, and tar cannot hold sockets.
      auto type = archive_entry_filetype(entry);
      if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
        archive_entry_free(entry);
        continue;
      }
      archive_read_disk_descend(disk.get());
      // Rename: <source>/<rest> -> <name>/<rest>
      std::string path = archive_entry_sourcepath(entry);
      std::string rest = path.size() > root.size() ? path.substr(root.size()) : std::string{};
      archive_entry_set_pathname(entry, (item.name + rest).c_str());
      if (archive_write_header(writer.get(), entry) < ARCHIVE_WARN) {
        archive_entry_free(entry);
        fail(writer.get(), "cannot archive " + path, out);
      }
      ++result.entries;
      if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
          archive_entry_free(entry);
          throw ArchiveError("cannot read " + path);
        }
        ssize_t got;
        while ((got = ::read(fd, buffer.data(), buffer.size())) > 0) {
          if (archive_write_data(writer.get(), buffer.data(), static_cast<size_t>(got)) < 0) {
            ::close(fd);
            archive_entry_free(entry);
            fail(writer.get(), "cannot archive " + path, out);
          }
        }
        ::close(fd);
        if (got < 0) {
          archive_entry_free(entry);
          throw ArchiveError("cannot read " + path);
        }
      }
      archive_entry_free(entry);
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) fail(writer.get(), "cannot finish the archive", out);
  return result;
}

HostArchiveResult archiveStreams(const std::vector<StreamEntry>& entries, const base::ChunkSink& tar) {
  HostArchiveResult result;
  Output out{&tar, &result, nullptr};
  ArchivePtr writer = openWriter(out);
  std::vector<char> buffer(1 << 20);
  for (const auto& item : entries) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(archive_entry_new(),
                                                                                 archive_entry_free);
    archive_entry_set_pathname(entry.get(), item.name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(item.size));
    if (item.owner) {
      archive_entry_set_perm(entry.get(), item.owner->mode);
      archive_entry_set_uid(entry.get(), static_cast<la_int64_t>(item.owner->uid));
      archive_entry_set_gid(entry.get(), static_cast<la_int64_t>(item.owner->gid));
      archive_entry_set_mtime(entry.get(), item.owner->mtime, 0);
    } else {
      archive_entry_set_perm(entry.get(), 0600);
      archive_entry_set_mtime(entry.get(), ::time(nullptr), 0);
    }
    if (archive_write_header(writer.get(), entry.get()) < ARCHIVE_WARN) fail(writer.get(), item.name, out);
    auto source = item.open();
    std::uint64_t sent = 0;
    std::size_t got;
    while ((got = source->read(buffer.data(), buffer.size())) > 0) {
      sent += got;
      if (sent > item.size) break;
      if (archive_write_data(writer.get(), buffer.data(), got) < 0) fail(writer.get(), item.name, out);
    }
    if (sent != item.size)
      throw ArchiveError(source->where() + " is not the " + std::to_string(item.size) +
                         " bytes the manifest says: run docker agentchat verify");
    ++result.entries;
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) fail(writer.get(), "cannot finish the archive", out);
  return result;
}

}  // namespace volumes
