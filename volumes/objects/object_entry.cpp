#include "volumes/objects/object_entry.hpp"

#include <algorithm>

#include "base/tar_header.hpp"
#include "volumes/listing/lister_protocol.hpp"

namespace volumes::objects {

namespace {

constexpr const char* kXattr = "SCHILY.xattr.";
constexpr std::string_view kOurs = "user.s3.";
constexpr std::string_view kUserMeta = "meta.";

bool badComponent(std::string_view c) {
  return c == "." || c == "..";
}

void percent(std::string& out, unsigned char c) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += '%';
  out += hex[c >> 4];
  out += hex[c & 15];
}

// The fields a PUT sets, by the name their record carries.
std::string* field(s3::ObjectMetadata& m, std::string_view name) {
  if (name == "content-type") return &m.contentType;
  if (name == "content-encoding") return &m.contentEncoding;
  if (name == "content-disposition") return &m.contentDisposition;
  if (name == "content-language") return &m.contentLanguage;
  if (name == "cache-control") return &m.cacheControl;
  return nullptr;
}

}  // namespace

std::string entryName(std::string_view key) {
  if (key.empty()) return ".";
  std::string out;
  out.reserve(key.size() + 8);
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view component = key.substr(start, end - start);
    for (unsigned char c : component) {
      if (c == '%' || c < 0x20 || c == 0x7f || (c == '.' && badComponent(component))) {
        percent(out, c);
      } else {
        out += static_cast<char>(c);
      }
    }
    if (end == key.size()) break;
    // A separator stays one only between two components a path can hold.
    bool plain = !component.empty() && end + 1 < key.size() && key[end + 1] != '/';
    if (plain) {
      out += '/';
    } else {
      percent(out, '/');
    }
    start = end + 1;
  }
  return out;
}

std::optional<std::string> keyOfEntryName(std::string_view name) {
  if (name == ".") return std::string();
  if (name.empty() || name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos)
    return std::nullopt;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = std::min(name.find('/', start), name.size());
    if (badComponent(name.substr(start, end - start))) return std::nullopt;
    start = end + 1;
  }
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  auto decoded = listing::unescapePath(name);
  if (!decoded) return std::nullopt;
  std::string key = std::move(*decoded);
  if (entryName(key) != name) return std::nullopt;  // one name per key: no aliases to compare
  return key;
}

std::string entryHeaders(const StoredObject& object) {
  std::string name = entryName(object.key);
  std::vector<std::pair<std::string, std::string>> records;
  records.emplace_back("path", name);
  std::int64_t seconds = object.modifiedNs / 1000000000, nanos = object.modifiedNs % 1000000000;
  char mtime[40];
  std::snprintf(mtime, sizeof mtime, "%lld.%09lld", static_cast<long long>(seconds),
                static_cast<long long>(nanos));
  records.emplace_back("mtime", mtime);
  if (object.size > base::kUstarMaxSize) records.emplace_back("size", std::to_string(object.size));
  std::string prefix = std::string(kXattr) + std::string(kOurs);
  if (!object.etag.empty()) records.emplace_back(prefix + "etag", object.etag);
  auto s3Field = [&](const char* fieldName, const std::string& value) {
    if (!value.empty()) records.emplace_back(prefix + fieldName, value);
  };
  s3Field("cache-control", object.metadata.cacheControl);
  s3Field("content-disposition", object.metadata.contentDisposition);
  s3Field("content-encoding", object.metadata.contentEncoding);
  s3Field("content-language", object.metadata.contentLanguage);
  s3Field("content-type", object.metadata.contentType);
  for (const auto& [k, v] : object.metadata.user)
    records.emplace_back(prefix + std::string(kUserMeta) + k, v);
  return base::paxHeader(records) + base::ustarBlock(name, object.size, 0644, seconds);
}

StoredObject objectOfEntry(const base::TarEntry& entry) {
  if (!entry.regular()) throw ObjectsError("objects part: entry " + entry.name + " is not a file");
  auto key = keyOfEntryName(entry.name);
  if (!key) throw ObjectsError("objects part: entry name '" + entry.name + "' is not one an object gets");
  StoredObject object;
  object.key = *key;
  object.size = entry.size;
  object.modifiedNs = entry.mtime * 1000000000;
  for (const auto& [name, value] : entry.xattrs) {
    std::string_view n(name);
    if (n.substr(0, kOurs.size()) != kOurs) continue;  // another tool's: not ours to set
    n.remove_prefix(kOurs.size());
    if (n == "etag") {
      object.etag = value;
    } else if (auto* f = field(object.metadata, n)) {
      *f = value;
    } else if (n.substr(0, kUserMeta.size()) == kUserMeta && n.size() > kUserMeta.size()) {
      object.metadata.user.emplace_back(std::string(n.substr(kUserMeta.size())), value);
    } else {
      throw ObjectsError("objects part: entry " + entry.name + " has an unknown record " + name);
    }
  }
  std::sort(object.metadata.user.begin(), object.metadata.user.end());
  return object;
}

}  // namespace volumes::objects
