#include "volumes/backup_copy.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "base/sha256.hpp"
#include "volumes/age_stream.hpp"
#include "volumes/deduplicated_part.hpp"
#include "volumes/part_reader.hpp"

namespace volumes {

namespace {
// A whole part's stored bytes, counted and hashed as they are read: a part converted into chunks is
// checked against its manifest as a verbatim copy is.
class CheckedReader : public StoredReader {
 public:
  explicit CheckedReader(std::unique_ptr<StoredReader> in) : in_(std::move(in)) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t got = in_->read(buffer, capacity);
    hash_.update(std::string_view(buffer, got));
    size_ += got;
    return got;
  }
  const std::string& where() const override { return in_->where(); }
  bool matches(const PartRecord& part) { return size_ == part.size && hash_.hexDigest() == part.sha256; }

 private:
  std::unique_ptr<StoredReader> in_;
  base::Sha256 hash_;
  std::uint64_t size_ = 0;
};
}  // namespace

CopyResult copyBackup(const Repository& from, Repository& to, const std::string& project,
                      const std::string& id, const std::vector<AgeRecipient>& resealTo) {
  Manifest manifest = from.read(project, id);
  auto existing = to.list(project);
  if (std::find(existing.begin(), existing.end(), id) != existing.end())
    throw RepositoryError("backup " + id + " of " + project + " is already in " + to.location());
  CopyResult result;
  auto staging = to.begin(project, id);
  std::vector<char> buffer(1 << 20);
  auto mismatch = [&](const PartRecord& part, const std::string& what) {
    return RepositoryError("copy of backup " + id + ": part " + part.name + " in " + from.location() +
                           " does not match its manifest (" + what + "); nothing was copied to " +
                           to.location() + " — run docker agentchat verify " + id);
  };
  for (auto& part : manifest.parts) {
    auto chunks = staging->chunks(manifest.encryption);
    if (chunks && !part.encrypted()) {
      // Into a deduplicated store: only the chunks it lacks are compressed and stored (a whole part is
      // converted; an encrypted one stays whole, as backups into the store keep it).
      auto checked = part.chunked() ? nullptr : new CheckedReader(from.openPart(project, id, part));
      PartReader reader(checked ? std::unique_ptr<StoredReader>(checked) : from.openPart(project, id, part),
                        part);
      PartRecord record{part.name, part.kind, part.service, part.source, 0, 0, "", "", "chunks", 0};
      DeduplicatedPart out(staging->addPart(record.storedName()), chunks->store, chunks->keys, record, 3);
      while (std::size_t got = reader.read(buffer.data(), buffer.size()))
        out.write(std::string_view(buffer.data(), got));
      record = out.finish();
      if (record.rawSize != part.rawSize) throw mismatch(part, "raw size differs");
      // The reader is done: a whole part's stored bytes against the manifest (a chunked part's
      // reader checked every chunk and its list).
      if (checked && !checked->matches(part)) throw mismatch(part, "sha256 mismatch");
      part = record;
      ++result.parts;
      result.bytes += record.newSize;
      continue;
    }
    // As stored; a chunked part as one .zst file (its blobs back to back, each checked on the way) —
    // of an encrypted backup, sealed again as one age file to the backup's recipients.
    bool reseal = part.chunked() && manifest.encryption.on();
    if (reseal && resealTo.empty())
      throw RepositoryError(
          "copy of backup " + id + ": part " + part.name + " is encrypted deduplicated chunks, and " +
          to.location() +
          " does not take them as they are: give the backup's key (--identity FILE or "
          "--passphrase-file FILE) so it is sealed again as one age file; nothing was copied");
    auto in = from.openCompressed(project, id, part);
    auto out = staging->addPart(part.name + (reseal ? ".age" : ""));
    base::Sha256 plain;
    std::optional<AgeEncryptor> age;
    if (reseal) age.emplace([&](std::string_view sealed) { out->write(sealed); }, resealTo);
    std::size_t got;
    while ((got = in->read(buffer.data(), buffer.size())) > 0) {
      std::string_view bytes(buffer.data(), got);
      if (age) {
        plain.update(bytes);
        age->write(bytes);
        continue;
      }
      if (out->size() + got > part.size) break;  // longer than the manifest says: refused below
      out->write(bytes);
    }
    if (age) age->finish();
    bool longer = got > 0;
    std::uint64_t size = out->size();
    std::string sha = longer ? std::string() : out->close();
    if (longer || (!reseal && size != part.size)) throw mismatch(part, "size differs");
    if (part.chunked()) {
      part.storage.clear();
      part.newSize = 0;
      part.size = size;
      part.sha256 = sha;
      if (reseal) {
        part.name += ".age";
        part.plainSha256 = plain.hexDigest();
      }
    } else if (sha != part.sha256) {
      throw mismatch(part, "sha256 mismatch");
    }
    ++result.parts;
    result.bytes += size;
  }
  staging->commit(manifest);
  return result;
}

}  // namespace volumes
