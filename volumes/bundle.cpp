#include "volumes/bundle.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <vector>

#include "base/sha256.hpp"
#include "volumes/age_stream.hpp"
#include "volumes/archive_reader.hpp"
#include "volumes/host_archive.hpp"

namespace volumes {

namespace {

class BytesReader : public StoredReader {
 public:
  explicit BytesReader(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t n = std::min(capacity, bytes_.size() - offset_);
    std::memcpy(buffer, bytes_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  const std::string& where() const override { return where_; }

 private:
  std::string bytes_, where_ = "manifest.json";
  std::size_t offset_ = 0;
};

// A chunked part of an encrypted backup, sealed again as one age file to the backup's recipients.
// A bundle gives an entry's size and sha256 before its bytes, so the part is read twice through one
// encryptor (AgeEncryptor::replay): the same plaintext makes the same age file, and the second
// read's plaintext is checked against the first's before its last bytes are handed out.
struct Resealing {
  explicit Resealing(const std::vector<AgeRecipient>& to)
      : age([this](std::string_view bytes) { sealed.append(bytes); }, to) {}
  std::string sealed;  // what the encryptor gave since it was last emptied
  AgeEncryptor age;
  std::string plainSha256;
};

class ResealedReader : public StoredReader {
 public:
  ResealedReader(std::unique_ptr<StoredReader> frames, std::shared_ptr<Resealing> resealing)
      : frames_(std::move(frames)), r_(std::move(resealing)), where_(frames_->where() + " (sealed again)") {
    r_->sealed.clear();
    r_->age.replay();
  }
  std::size_t read(char* buffer, std::size_t capacity) override {
    while (at_ == r_->sealed.size() && !ended_) {
      r_->sealed.clear();
      at_ = 0;
      std::size_t got = frames_->read(input_.data(), input_.size());
      if (got == 0) {
        r_->age.finish();
        ended_ = true;
        if (plain_.hexDigest() != r_->plainSha256)
          throw RepositoryError(frames_->where() +
                                ": its chunks changed between the two reads of the export");
      } else {
        plain_.update(std::string_view(input_.data(), got));
        r_->age.write(std::string_view(input_.data(), got));
      }
    }
    std::size_t n = std::min(capacity, r_->sealed.size() - at_);
    std::memcpy(buffer, r_->sealed.data() + at_, n);
    at_ += n;
    return n;
  }
  const std::string& where() const override { return where_; }

 private:
  std::unique_ptr<StoredReader> frames_;
  std::shared_ptr<Resealing> r_;
  std::string where_;
  std::vector<char> input_ = std::vector<char>(1 << 20);
  base::Sha256 plain_;
  std::size_t at_ = 0;
  bool ended_ = false;
};

}  // namespace

void writeBundle(const Repository& repository, const std::string& project, const std::string& id,
                 const base::ChunkSink& out, const std::vector<AgeRecipient>& resealTo) {
  auto manifest = repository.read(project, id);
  std::string prefix = project + "/" + id + "/";
  // A chunked part goes in as one .zst file (its blobs back to back) — an encrypted backup's sealed
  // again as one age file: the bundle stands alone, and the manifest, which comes first, needs that
  // file's sha256 — one read of the blobs ahead.
  std::vector<char> buffer(1 << 20);
  std::map<std::size_t, std::shared_ptr<Resealing>> resealed;  // by part
  for (std::size_t i = 0; i < manifest.parts.size(); ++i) {
    auto& part = manifest.parts[i];
    if (!part.chunked()) continue;
    bool reseal = manifest.encryption.on();
    if (reseal && resealTo.empty())
      throw RepositoryError("export: backup " + id +
                            " is kept as encrypted deduplicated chunks: give its key (--identity FILE or "
                            "--passphrase-file FILE) so each part is sealed again as one age file");
    auto in = repository.openCompressed(project, id, part);
    base::Sha256 hash, plain;
    std::uint64_t size = 0;
    std::shared_ptr<Resealing> r;
    auto take = [&](std::string_view bytes) {
      hash.update(bytes);
      size += bytes.size();
    };
    if (reseal) {
      r = std::make_shared<Resealing>(resealTo);
      take(r->sealed);
      r->sealed.clear();
    }
    while (std::size_t got = in->read(buffer.data(), buffer.size())) {
      std::string_view bytes(buffer.data(), got);
      if (!r) {
        take(bytes);
        continue;
      }
      plain.update(bytes);
      r->age.write(bytes);
      take(r->sealed);
      r->sealed.clear();
    }
    if (r) {
      r->age.finish();
      take(r->sealed);
      r->sealed.clear();
      r->plainSha256 = plain.hexDigest();
      part.plainSha256 = r->plainSha256;
      part.name += ".age";
      resealed[i] = r;
    } else if (size != part.size) {
      throw RepositoryError("export: part " + part.name + " has " + std::to_string(size) +
                            " bytes of chunks, the manifest says " + std::to_string(part.size) +
                            ": run docker agentchat verify " + id);
    }
    part.size = size;
    part.sha256 = hash.hexDigest();
    part.storage.clear();
    part.newSize = 0;
  }
  // The manifest as the repository gives it back (its parts are what it names).
  auto text = std::make_shared<std::string>(toJson(manifest).dump(2) + "\n");
  std::vector<StreamEntry> entries{
      {prefix + "manifest.json", text->size(),
       [text] { return std::unique_ptr<StoredReader>(std::make_unique<BytesReader>(*text)); }, std::nullopt}};
  const auto stored = repository.read(project, id);
  for (std::size_t i = 0; i < manifest.parts.size(); ++i) {
    auto r = resealed.count(i) ? resealed[i] : nullptr;
    entries.push_back(
        {prefix + manifest.parts[i].name, manifest.parts[i].size,
         [&repository, &project, &id, record = stored.parts[i], r]() -> std::unique_ptr<StoredReader> {
           auto frames = repository.openCompressed(project, id, record);
           if (!r) return frames;
           return std::make_unique<ResealedReader>(std::move(frames), r);
         },
         std::nullopt});
  }
  archiveStreams(entries, out);
}

ImportResult importBundle(Repository& repository, base::ChunkSource in) {
  ArchiveReader reader(std::move(in), 1 << 20);
  auto failed = [&](const std::string& what) -> RepositoryError {
    reader.rethrowIfFailed();
    const char* why = archive_error_string(reader.get());
    return RepositoryError("import: " + what + (why ? std::string(": ") + why : std::string()));
  };
  if (!reader.opened()) throw failed("not a tar file");

  struct archive_entry* entry = nullptr;
  if (archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) throw failed("empty or not a bundle");
  std::string first = archive_entry_pathname(entry);
  auto slash = first.find('/');
  if (slash == std::string::npos || !first.ends_with("/manifest.json") ||
      archive_entry_size(entry) > static_cast<la_int64_t>(kManifestSizeLimit))
    throw RepositoryError(
        "import: not a backup bundle (it must start with <project>/<id>/manifest.json, found " + first + ")");
  std::string text(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
  if (archive_read_data(reader.get(), text.data(), text.size()) != static_cast<la_ssize_t>(text.size()))
    throw failed("reading manifest.json");
  Manifest manifest = parseManifest(text);
  if (first != manifest.project + "/" + manifest.id + "/manifest.json" ||
      !isPlainFileName(manifest.project) || !isPlainFileName(manifest.id))
    throw RepositoryError("import: the bundle's path " + first + " does not match its manifest (" +
                          manifest.project + ", " + manifest.id + ")");

  ImportResult result{manifest.project, manifest.id, 0, 0};
  auto lock = repository.lock(manifest.project);
  for (const auto& id : repository.list(manifest.project)) {
    if (id == manifest.id)
      throw RepositoryError("import: backup " + id + " of " + manifest.project + " is already in " +
                            repository.location());
  }
  auto staging = repository.begin(manifest.project, manifest.id);
  std::map<std::string, bool> arrived;
  std::vector<char> buffer(1 << 20);
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    std::string path = archive_entry_pathname(entry);
    std::string prefix = manifest.project + "/" + manifest.id + "/";
    const PartRecord* record =
        path.rfind(prefix, 0) == 0 ? manifest.part(path.substr(prefix.size())) : nullptr;
    if (record == nullptr || arrived[record->name])
      throw RepositoryError("import: " + path + " is not a part of backup " + manifest.id +
                            " (or comes twice)");
    auto file = staging->addPart(record->name);
    la_ssize_t got;
    while ((got = archive_read_data(reader.get(), buffer.data(), buffer.size())) > 0) {
      file->write(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    }
    if (got < 0) throw failed("reading " + path);
    std::uint64_t size = file->size();
    std::string sha = file->close();
    if (size != record->size || sha != record->sha256)
      throw RepositoryError("import: part " + record->name + " does not match the manifest (" +
                            (size != record->size
                                 ? "size " + std::to_string(size) + " != " + std::to_string(record->size)
                                 : std::string("sha256 mismatch")) +
                            "): the bundle is damaged; nothing was imported");
    arrived[record->name] = true;
    ++result.parts;
    result.bytes += size;
  }
  if (status != ARCHIVE_EOF) throw failed("reading the bundle (truncated?)");
  for (const auto& part : manifest.parts) {
    if (!arrived[part.name])
      throw RepositoryError("import: part " + part.name +
                            " is missing from the bundle; nothing was imported");
  }
  staging->commit(manifest);
  return result;
}

}  // namespace volumes
