#include "volumes/objects/object_references.hpp"

#include <sqlite3.h>

#include <cctype>
#include <initializer_list>

#include "volumes/listing/lister_protocol.hpp"
#include "volumes/objects/object_entry.hpp"

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

struct ReferenceCheck::Named {
  sqlite3* db = nullptr;
  sqlite3_stmt *insert = nullptr, *mark = nullptr;

  Named() {
    if (sqlite3_open("", &db) != SQLITE_OK) fail("cannot open a temporary database");
    exec(
        "PRAGMA cache_size = -4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
        "CREATE TABLE named (key TEXT PRIMARY KEY, id TEXT, listed INTEGER) WITHOUT ROWID; BEGIN");
    insert = prepare("INSERT OR IGNORE INTO named VALUES (?, ?, 0)");
    mark = prepare("UPDATE named SET listed = 1 WHERE key = ?");
  }
  ~Named() {
    sqlite3_finalize(insert);
    sqlite3_finalize(mark);
    sqlite3_close(db);
  }
  [[noreturn]] void fail(const std::string& what) {
    throw ObjectsError("the rows' keys (a temporary database): " + what + ": " + sqlite3_errmsg(db));
  }
  void exec(const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) fail(sql);
    return st;
  }
  // Runs `st` with text parameters; the number of rows it changed.
  int run(sqlite3_stmt* st, std::initializer_list<std::string_view> values) {
    int at = 0;
    for (auto v : values) sqlite3_bind_text(st, ++at, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) fail("a row's key");
    return sqlite3_changes(db);
  }
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
  named_->run(named_->insert, {*key, id});
}

void ReferenceCheck::listed(const std::string& key) {
  if (named_->run(named_->mark, {key}) > 0) return;
  if (report_.firstUnreferenced.size() < kNamed) report_.firstUnreferenced.push_back(key);
  ++report_.unreferenced;
}

ReferenceReport ReferenceCheck::finish() {
  sqlite3_stmt* st = named_->prepare("SELECT key, id FROM named WHERE listed = 0 ORDER BY key");
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ++report_.missing;
    auto text = [&](int column) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
      return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, column)));
    };
    if (report_.firstMissing.size() < kNamed) report_.firstMissing.emplace_back(text(1), text(0));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) named_->fail("the missing objects");
  return report_;
}

}  // namespace volumes::objects
