#pragma once
// Rows of the stack's database that name objects of a bucket (x-agentchat objects referenced_by,
// e.g. agentchat.knowledge_file.oss_url), held against what the bucket lists: a row whose object is
// missing is a broken knowledge file; an object no row names is an orphan. The URLs are of the forms
// AgentChat and OSS write: s3://BUCKET/KEY, oss://BUCKET/KEY, https://BUCKET.HOST/KEY,
// https://HOST/BUCKET/KEY, and the bucket's own domain https://DOMAIN/KEY.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace volumes::objects {

struct BucketAddress {
  std::string bucket;
  std::string domain;  // the bucket's own domain (addressing: domain), else empty
};

// The object key a URL names when it names this bucket; its query (a signed URL's signature) is
// dropped and %XX decoded. nullopt for another bucket, or no URL at all.
std::optional<std::string> keyOfUrl(std::string_view url, const BucketAddress& address);

struct ReferenceReport {
  std::uint64_t rows = 0, otherBuckets = 0;     // rows read; rows naming no object of this bucket
  std::uint64_t missing = 0, unreferenced = 0;  // rows whose object is not listed; objects no row names
  std::vector<std::pair<std::string, std::string>> firstMissing;  // row id, key
  std::vector<std::string> firstUnreferenced;
};

// Fed the rows, then every listed key (in any order). The keys the rows name are kept on disk (a
// private temporary SQLite database): a table of a million files must not sit in memory.
class ReferenceCheck {
 public:
  explicit ReferenceCheck(BucketAddress address);
  ~ReferenceCheck();
  ReferenceCheck(const ReferenceCheck&) = delete;
  ReferenceCheck& operator=(const ReferenceCheck&) = delete;
  void row(const std::string& id, const std::string& url);
  void listed(const std::string& key);
  ReferenceReport finish();

 private:
  struct Named;  // key -> the first row id naming it, and whether the bucket listed it
  BucketAddress address_;
  std::unique_ptr<Named> named_;
  ReferenceReport report_;
};

}  // namespace volumes::objects
