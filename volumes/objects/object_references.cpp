#include "volumes/objects/object_references.hpp"

#include <cctype>

#include "volumes/listing/lister_protocol.hpp"
#include "volumes/objects/object_entry.hpp"
#include "volumes/temporary_database.hpp"

namespace volumes::objects {

namespace {

constexpr std::size_t kNamed = 10;

// %XX decoded; a URL with a malformed escape is taken as written.
std::string decoded(std::string_view text) {
  return listing::unescapePath(text).value_or(std::string(text));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> keyOfUrl(std::string_view url, const BucketAddress& address) {
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.remove_suffix(1);
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front()))) url.remove_prefix(1);
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  std::string kind = lower(url.substr(0, scheme));
  std::string_view rest = url.substr(scheme + 3);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string host = lower(rest.substr(0, slash));
  std::string_view path = rest.substr(slash + 1);
  if (kind == "s3" || kind == "oss") {
    if (host != address.bucket) return std::nullopt;
    return path.empty() ? std::nullopt : std::optional<std::string>(decoded(path));
  }
  if (kind != "http" && kind != "https") return std::nullopt;
  path = path.substr(0, path.find_first_of("?#"));  // a signed URL's query never goes further
  auto port = host.find(':');
  std::string name = host.substr(0, port);
  std::string key;
  if (!address.domain.empty() && name == lower(address.domain)) {
    key = decoded(path);
  } else if (name.rfind(address.bucket + ".", 0) == 0) {
    key = decoded(path);  // virtual-hosted: BUCKET.oss-cn-hangzhou.aliyuncs.com
  } else if (path.rfind(address.bucket + "/", 0) == 0) {
    key = decoded(path.substr(address.bucket.size() + 1));  // path style: HOST/BUCKET/KEY
  } else {
    return std::nullopt;
  }
  return key.empty() ? std::nullopt : std::optional<std::string>(key);
}

struct ReferenceCheck::Named : TemporaryDatabase<ObjectsError> {
  Named()
      : TemporaryDatabase(
            "the keys the rows name",
            "CREATE TABLE named (key TEXT PRIMARY KEY, id TEXT, listed INTEGER) WITHOUT ROWID") {}
};

ReferenceCheck::ReferenceCheck(BucketAddress address)
    : address_(std::move(address)), named_(std::make_unique<Named>()) {}

ReferenceCheck::~ReferenceCheck() = default;

void ReferenceCheck::row(const std::string& id, const std::string& url) {
  ++report_.rows;
  auto key = keyOfUrl(url, address_);
  if (!key) {
    ++report_.otherBuckets;
    return;
  }
  named_->run("INSERT OR IGNORE INTO named VALUES (?, ?, 0)", {*key, id});
}

void ReferenceCheck::listed(const std::string& key) {
  named_->run("UPDATE named SET listed = 1 WHERE key = ?", {key});
  if (named_->changes() > 0) return;
  if (report_.firstUnreferenced.size() < kNamed) report_.firstUnreferenced.push_back(key);
  ++report_.unreferenced;
}

ReferenceReport ReferenceCheck::finish() {
  named_->each("SELECT key, id FROM named WHERE listed = 0 ORDER BY key", [&](const auto& text) {
    ++report_.missing;
    if (report_.firstMissing.size() < kNamed) report_.firstMissing.emplace_back(text(1), text(0));
  });
  return report_;
}

}  // namespace volumes::objects
