#include "volumes/objects/object_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "volumes/listing/lister_protocol.hpp"

namespace volumes::objects {

namespace {

constexpr const char* kHeader = "agentchat-objects-catalog 1";

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::uint64_t number(std::string_view text, const char* what) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty())
    throw ObjectsError(std::string("objects catalog: a bad ") + what);
  return value;
}

// Metadata as NAME=VALUE records joined by '&', each escaped: one field of a tab-separated line.
std::string escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c == '%' || c == '&' || c == '=' || c < 0x20 || c == 0x7f) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string unescape(std::string_view text) {
  auto out = listing::unescapePath(text);
  if (!out) throw ObjectsError("objects catalog: a bad escape in the metadata");
  return *out;
}

std::vector<std::pair<std::string, std::string*>> fields(s3::ObjectMetadata& m) {
  return {{"cache-control", &m.cacheControl},
          {"content-disposition", &m.contentDisposition},
          {"content-encoding", &m.contentEncoding},
          {"content-language", &m.contentLanguage},
          {"content-type", &m.contentType}};
}

std::string metadataField(s3::ObjectMetadata metadata) {
  std::string out;
  auto add = [&](const std::string& name, const std::string& value) {
    out += (out.empty() ? "" : "&") + escape(name) + "=" + escape(value);
  };
  for (auto& [name, value] : fields(metadata))
    if (!value->empty()) add(name, *value);
  for (const auto& [name, value] : metadata.user) add("meta." + name, value);
  return out;
}

s3::ObjectMetadata parseMetadataField(std::string_view text) {
  s3::ObjectMetadata metadata;
  if (text.empty()) return metadata;
  for (auto record : split(text, '&')) {
    auto eq = record.find('=');
    if (eq == std::string_view::npos) throw ObjectsError("objects catalog: a metadata record without '='");
    std::string name = unescape(record.substr(0, eq)), value = unescape(record.substr(eq + 1));
    bool known = false;
    for (auto& [field, into] : fields(metadata)) {
      if (field == name) *into = value, known = true;
    }
    if (!known && name.rfind("meta.", 0) == 0 && name.size() > 5) {
      metadata.user.emplace_back(name.substr(5), value);
      known = true;
    }
    if (!known) throw ObjectsError("objects catalog: an unknown metadata record " + name);
  }
  return metadata;
}

}  // namespace

bool sameEtag(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string catalogObjectLine(const CatalogObject& object) {
  std::string line = entryName(object.key) + "\t" + std::to_string(object.size) + "\t" + object.etag + "\t" +
                     object.md5 + "\t" + metadataField(object.metadata) + "\t";
  for (std::size_t i = 0; i < object.chunks.size(); ++i)
    line += (i ? "," : "") + object.chunks[i].first + ":" + std::to_string(object.chunks[i].second);
  return line;
}

CatalogObject parseCatalogObjectLine(std::string_view line) {
  auto f = split(line, '\t');
  if (f.size() != 6)
    throw ObjectsError("objects catalog: a line has " + std::to_string(f.size()) + " fields, not 6");
  CatalogObject object;
  auto key = keyOfEntryName(f[0]);
  if (!key) throw ObjectsError("objects catalog: a bad key");
  object.key = *key;
  object.size = number(f[1], "size");
  object.etag = std::string(f[2]);
  object.md5 = std::string(f[3]);
  object.metadata = parseMetadataField(f[4]);
  std::uint64_t sum = 0;
  if (!f[5].empty()) {
    for (auto chunk : split(f[5], ',')) {
      auto colon = chunk.find(':');
      if (colon != 64) throw ObjectsError("objects catalog: a chunk is not NAME:SIZE");
      object.chunks.emplace_back(std::string(chunk.substr(0, colon)), number(chunk.substr(65), "chunk size"));
      sum += object.chunks.back().second;
    }
    if (sum != object.size)
      throw ObjectsError("objects catalog: an object's chunks do not add up to its size");
  }
  return object;
}

bool unchanged(const CatalogObject& before, const s3::ObjectInfo& listed, std::string_view relativeKey) {
  return before.key == relativeKey && before.size == listed.size &&
         (sameEtag(before.etag, listed.etag) || sameEtag(before.md5, listed.etag));
}

ObjectCatalogWriter::ObjectCatalogWriter(std::unique_ptr<StoredWriter> file)
    : file_(std::move(file)), zstd_([this](std::string_view bytes) { file_->write(bytes); }, 3) {
  zstd_.write(std::string(kHeader) + "\n");
}

void ObjectCatalogWriter::add(const CatalogObject& object) {
  zstd_.write(catalogObjectLine(object) + "\n");
}

std::string ObjectCatalogWriter::close() {
  zstd_.finish();
  return file_->close();
}

ObjectCatalogReader::ObjectCatalogReader(std::unique_ptr<StoredReader> file)
    : lines_(std::move(file), "objects catalog") {
  auto first = lines_.next();
  if (!first || *first != kHeader)
    throw ObjectsError("objects catalog " + lines_.where() + ": not a catalog this version reads");
}

const CatalogObject* ObjectCatalogReader::find(const std::string& key) {
  while (!ended_ && (!current_ || current_->key < key)) {
    auto line = lines_.next();
    if (!line) {
      ended_ = true;
      current_.reset();
      break;
    }
    auto next = parseCatalogObjectLine(*line);
    if (current_ && !(current_->key < next.key))
      throw ObjectsError("objects catalog " + lines_.where() + ": keys out of order");
    current_ = std::move(next);
  }
  return current_ && current_->key == key ? &*current_ : nullptr;
}

}  // namespace volumes::objects
