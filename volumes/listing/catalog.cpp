#include "volumes/listing/catalog.hpp"

#include <charconv>

namespace volumes::listing {

namespace {

constexpr std::size_t kLineLimit = 16 << 20;  // a 16 GiB file's chunk list is ~1 MiB: far above it

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> parts;
  for (;;) {
    auto at = text.find(by);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

template <typename T>
T number(std::string_view text, const char* field, int base = 10) {
  T value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    throw ListingError(std::string("catalog: the ") + field + " field is not a number: '" +
                       std::string(text) + "'");
  return value;
}

}  // namespace

std::string statLine(const CatalogEntry& e) {
  char mode[16];
  auto [end, error] = std::to_chars(mode, mode + sizeof mode, e.mode, 8);
  (void)error;
  return escapePath(e.path) + '\t' + std::to_string(e.size) + '\t' + std::to_string(e.mtime) + '\t' +
         std::to_string(e.ctime) + '\t' + std::to_string(e.ino) + '\t' + std::string(mode, end) + '\t' +
         std::to_string(e.uid) + '\t' + std::to_string(e.gid) + '\t' + e.flags;
}

std::string catalogLine(const CatalogEntry& e) {
  std::string line = statLine(e) + '\t';
  for (std::size_t i = 0; i < e.chunks.size(); ++i) {
    if (i) line += ',';
    line += e.chunks[i].first + ':' + std::to_string(e.chunks[i].second);
  }
  return line;
}

CatalogEntry parseCatalogLine(std::string_view line, bool withChunks) {
  auto f = split(line, '\t');
  if (f.size() != (withChunks ? 10u : 9u))
    throw ListingError("catalog: a line has " + std::to_string(f.size()) + " fields, not " +
                       std::to_string(withChunks ? 10 : 9));
  CatalogEntry e;
  auto path = unescapePath(f[0]);
  if (!path) throw ListingError("catalog: a bad %-escape in a path");
  e.path = std::move(*path);
  e.size = number<std::uint64_t>(f[1], "size");
  e.mtime = number<std::int64_t>(f[2], "mtime");
  e.ctime = number<std::int64_t>(f[3], "ctime");
  e.ino = number<std::uint64_t>(f[4], "inode");
  e.mode = number<std::uint32_t>(f[5], "mode", 8);
  e.uid = number<std::uint64_t>(f[6], "uid");
  e.gid = number<std::uint64_t>(f[7], "gid");
  e.flags = std::string(f[8]);
  if (withChunks && !f[9].empty()) {
    for (auto chunk : split(f[9], ',')) {
      auto colon = chunk.find(':');
      if (colon != 64) throw ListingError("catalog: a chunk is not NAME:SIZE");
      e.chunks.emplace_back(std::string(chunk.substr(0, colon)),
                            number<std::uint64_t>(chunk.substr(65), "chunk size"));
    }
  }
  return e;
}

std::string catalogHeader(std::int64_t listedAt) {
  return "agentchat-catalog 1 " + std::to_string(listedAt);
}

CatalogReader::CatalogReader(std::unique_ptr<StoredReader> file)
    : lines_(std::move(file), "catalog", kLineLimit) {
  auto first = lines_.next();
  auto f = first ? split(*first, ' ') : std::vector<std::string_view>{};
  if (f.size() != 3 || f[0] != "agentchat-catalog" || f[1] != "1")
    throw ListingError("catalog " + lines_.where() + ": not a catalog this version reads");
  listedAt_ = number<std::int64_t>(f[2], "listed-at");
}

std::optional<CatalogEntry> CatalogReader::next(bool withChunks) {
  auto text = lines_.next();
  if (!text) return std::nullopt;
  ++index_;
  return parseCatalogLine(*text, withChunks);
}

// Fills the buffer with as many lines as fit: each write to an exec's stdin is a round trip
// through the engine, and the lister waits for the line it needs next.
base::ChunkSource CatalogReader::forLister() {
  return [this, pending = catalogHeader(listedAt_) + "\n", at = std::size_t{0}, ended = false](
             char* buffer, std::size_t capacity) mutable {
    std::size_t filled = 0;
    while (filled < capacity) {
      if (at == pending.size()) {
        auto entry = ended ? std::nullopt : next();
        if (!entry) {
          ended = true;
          break;
        }
        pending = statLine(*entry) + "\n";
        at = 0;
      }
      std::size_t n = std::min(capacity - filled, pending.size() - at);
      std::memcpy(buffer + filled, pending.data() + at, n);
      at += n;
      filled += n;
    }
    return filled;
  };
}

CatalogWriter::CatalogWriter(std::unique_ptr<StoredWriter> file, std::int64_t listedAt)
    : file_(std::move(file)), zstd_([this](std::string_view bytes) { file_->write(bytes); }, 3) {
  zstd_.write(catalogHeader(listedAt) + "\n");
}

void CatalogWriter::add(const CatalogEntry& entry) {
  zstd_.write(catalogLine(entry) + "\n");
  ++entries_;
}

void CatalogWriter::addFacts(const CatalogEntry& entry) {
  zstd_.write(statLine(entry) + "\n");
  ++entries_;
}

std::string CatalogWriter::close() {
  zstd_.finish();
  return file_->close();
}

}  // namespace volumes::listing
