// A bucket's objects as a part (issue #19): keys that are no safe paths become safe tar names and
// come back exactly; an object's metadata rides in its entry's pax records; the catalog tells the
// next backup what it need not fetch; the copy reports what changed under it and never mixes it in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "base/tar_walker.hpp"
#include "tests/support/chunk_testing.hpp"
#include "tests/support/memory_stored.hpp"
#include "volumes/objects/bucket_copy.hpp"
#include "volumes/objects/created_keys.hpp"
#include "volumes/objects/object_catalog.hpp"
#include "volumes/objects/object_entry.hpp"
#include "volumes/objects/object_references.hpp"

namespace objects = volumes::objects;
namespace s3 = volumes::s3;
using agentchat_test::MemoryReader;
using agentchat_test::MemoryWriter;
using agentchat_test::randomBytes;
using ::testing::HasSubstr;

namespace {

const std::vector<std::string> kHostileKeys = {
    "a.txt",   "dir/b.pdf", "../escape", "a/../../etc/passwd", "/leading", "double//slash",
    "folder/", "./dot",     "tab\there", "new\nline",          "100%.txt", "中文/资料.pdf",
    "..",      ".",         "a/./b",     "trailing/.."};

struct FakeObject {
  std::string bytes, etag, storageClass;
  s3::ObjectMetadata metadata;
  s3::FetchStatus answer = s3::FetchStatus::Fetched;  // what a GET finds (Changed, Missing: it moved)
};

class FakeBucket : public objects::Bucket {
 public:
  std::map<std::string, FakeObject> objects;
  int pageSize = 1000;
  int gets = 0, heads = 0;
  int failAfterGets = -1;   // the store goes away
  int failAfterPages = -1;  // ... while it is being listed
  bool unsorted = false;    // lists its keys in reverse (no S3 store does)
  std::mutex mutex;

  void list(const std::string& prefix,
            const std::function<void(std::vector<s3::ObjectInfo>&)>& page) override {
    std::vector<s3::ObjectInfo> out;
    int pages = 0;
    auto send = [&] {
      if (failAfterPages >= 0 && pages++ >= failAfterPages)
        throw s3::S3Error("ListObjectsV2 " + prefix + ": connection reset", 0, "", true);
      page(out);
      out.clear();
    };
    std::vector<std::pair<std::string, const FakeObject*>> listed;
    for (const auto& [key, o] : objects) listed.emplace_back(key, &o);
    if (unsorted) std::reverse(listed.begin(), listed.end());
    for (const auto& [key, o] : listed) {
      if (key.rfind(prefix, 0) != 0) continue;
      out.push_back({key, o->bytes.size(), o->etag, "2026-12-04T10:00:00.000Z", o->storageClass});
      if (static_cast<int>(out.size()) == pageSize) send();
    }
    send();
  }
  s3::Fetched fetch(const std::string& key, const std::string& ifMatch,
                    const base::ChunkSink& sink) override {
    const FakeObject* o = nullptr;
    {
      std::lock_guard lock(mutex);
      ++gets;
      if (failAfterGets >= 0 && gets > failAfterGets)
        throw s3::S3Error("GetObject " + key + ": connection refused");
      o = &objects.at(key);
    }
    if (o->storageClass == "GLACIER") throw s3::S3Error("archived", 403, "InvalidObjectState");
    if (o->answer != s3::FetchStatus::Fetched) return {o->answer, {}, "", 0};
    EXPECT_EQ(ifMatch, o->etag) << key;
    sink(o->bytes);
    return {s3::FetchStatus::Fetched, o->metadata, o->etag, o->bytes.size()};
  }
  s3::Fetched describe(const std::string& key) override {
    std::lock_guard lock(mutex);
    ++heads;
    const auto& o = objects.at(key);
    return {o.answer == s3::FetchStatus::Missing ? s3::FetchStatus::Missing : s3::FetchStatus::Fetched,
            o.metadata, o.etag, o.bytes.size()};
  }
};

// One copy of the bucket into a chunked part kept in memory: the part's stream, and its catalog.
struct Copied {
  std::string stream, catalog;
  objects::BucketCounts counts;
};

Copied copyBucket(FakeBucket& bucket, agentchat_test::MemoryBlobStore& store, const std::string* previous,
                  objects::BucketCopyOptions options = {}) {
  Copied out;
  auto keys = volumes::chunks::ChunkKeys::plain();
  std::optional<objects::BucketCopy> copy;
  volumes::chunks::ChunkedPartWriter writer(store, keys, [&](const volumes::chunks::ChunkRef& ref) {
    out.stream += store.raw.at(ref.name);
    copy->chunk(ref);
  });
  std::unique_ptr<objects::ObjectCatalogReader> before;
  if (previous)
    before = std::make_unique<objects::ObjectCatalogReader>(std::make_unique<MemoryReader>(*previous));
  objects::PartOutput part{
      [&](std::string_view bytes) { writer.write(bytes); }, [&] { writer.boundary(); },
      [&](const std::string& name, std::uint64_t size) { return writer.reuse(name, size); },
      [&](const std::string& name) { return writer.has(name); }};
  copy.emplace(bucket, part, before.get(), std::make_unique<MemoryWriter>(&out.catalog), options);
  copy->run();
  writer.finish();
  copy->close();
  out.counts = copy->counts();
  return out;
}

struct Walked {
  objects::StoredObject object;
  std::string bytes;
};

std::vector<Walked> walk(const std::string& stream) {
  std::vector<Walked> out;
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        out.push_back({objects::objectOfEntry(entry), ""});
        return true;
      },
      [&](std::string_view bytes) { out.back().bytes.append(bytes); });
  walker.feed(stream);
  walker.finish();
  walker.requireEnd();
  return out;
}

void fillBucket(FakeBucket& bucket) {
  int i = 0;
  for (const auto& key : kHostileKeys) {
    FakeObject o;
    o.bytes = i % 3 == 0 ? std::string() : randomBytes(static_cast<std::size_t>(1000 * i * i + 7), i);
    o.etag = "etag-" + std::to_string(i++);
    o.metadata.contentType = "application/pdf";
    o.metadata.user = {{"owner", "user " + std::to_string(i)}};
    bucket.objects["uploads/" + key] = o;
  }
  bucket.objects["uploads/big.bin"] = {
      randomBytes(3 << 20, 99), "etag-big", "", {}, s3::FetchStatus::Fetched};
  bucket.objects["elsewhere/x"] = {"not ours", "etag-x", "", {}, s3::FetchStatus::Fetched};
}

}  // namespace

TEST(ObjectEntry, HostileKeysBecomeSafeNamesAndComeBackExactly) {
  for (const auto& key : kHostileKeys) {
    std::string name = objects::entryName(key);
    SCOPED_TRACE(key + " -> " + name);
    EXPECT_FALSE(name.empty());
    EXPECT_NE(name.front(), '/');
    EXPECT_NE(name.back(), '/');
    EXPECT_EQ(name.find("//"), std::string::npos);
    EXPECT_EQ(name.find_first_of("\t\n"), std::string::npos);
    std::size_t start = 0;
    while (start <= name.size()) {
      std::size_t end = std::min(name.find('/', start), name.size());
      std::string component = name.substr(start, end - start);
      if (name != ".") {
        EXPECT_TRUE(component != "." && component != "..") << component;
      }
      start = end + 1;
    }
    EXPECT_EQ(objects::keyOfEntryName(name), key);
  }
  EXPECT_EQ(objects::entryName(""), ".");
  EXPECT_EQ(objects::keyOfEntryName("."), "");
  // Names no key gets: refused, so no two names ever stand for one key.
  for (std::string bad : {"../x", "a//b", "/a", "a/", "%2e%2e", "a%2", "a/%2E%2E/..", "x\ty"})
    EXPECT_FALSE(objects::keyOfEntryName(bad)) << bad;
}

TEST(ObjectEntry, MetadataRidesInPaxRecordsAndAStockTarSeesAPlainFile) {
  objects::StoredObject object{"../reports/q4 2026.pdf", 1500, 1733306400123456789LL, "0123abcd-2", {}};
  object.metadata = {
      "application/pdf", "gzip",       "attachment; filename=\"q4.pdf\"",
      "zh-CN",           "max-age=60", {{"owner", "Zhang San = 张三"}, {"uploaded-by", "web"}}};
  std::string content = randomBytes(1500, 5);
  std::string stream =
      objects::entryHeaders(object) + content + std::string(512 - 1500 % 512, '\0') + std::string(1024, '\0');
  auto walked = walk(stream);
  ASSERT_EQ(walked.size(), 1u);
  EXPECT_EQ(walked[0].object.key, object.key);
  EXPECT_EQ(walked[0].object.size, 1500u);
  EXPECT_EQ(walked[0].object.etag, object.etag);
  EXPECT_EQ(walked[0].object.metadata, object.metadata);
  EXPECT_EQ(walked[0].object.modifiedNs / 1000000000, 1733306400);
  EXPECT_EQ(walked[0].bytes, content);
}

TEST(ObjectCatalog, LinesRoundTripAndAChangeOfEtagOrSizeIsSeen) {
  objects::CatalogObject o{"a/b&c=d%\x01.txt",
                           10,
                           "9e107d9d372bb6826bd81d3542a419d6-2",
                           "9e107d9d372bb6826bd81d3542a419d6",
                           {},
                           {{std::string(64, 'a'), 10}}};
  o.metadata.contentType = "text/plain; charset=utf-8";
  o.metadata.user = {{"k", "v&w=x%"}};
  auto back = objects::parseCatalogObjectLine(objects::catalogObjectLine(o));
  EXPECT_EQ(back.key, o.key);
  EXPECT_EQ(back.etag, o.etag);
  EXPECT_EQ(back.md5, o.md5);
  EXPECT_EQ(back.metadata, o.metadata);
  EXPECT_EQ(back.chunks, o.chunks);
  auto listed = [](std::uint64_t size, std::string etag) {
    return s3::ObjectInfo{"p/x", size, etag, "", ""};
  };
  EXPECT_TRUE(objects::unchanged(o, listed(10, o.etag), o.key));
  // A restore uploaded it again in one piece: its ETag is now the MD5 of its bytes (upper case on OSS).
  EXPECT_TRUE(objects::unchanged(o, listed(10, "9E107D9D372BB6826BD81D3542A419D6"), o.key));
  EXPECT_FALSE(objects::unchanged(o, listed(11, o.etag), o.key));
  EXPECT_FALSE(objects::unchanged(o, listed(10, "other"), o.key));
  EXPECT_THROW(objects::parseCatalogObjectLine("x\t1\te\tm\t\t" + std::string(64, 'a') + ":2"),
               objects::ObjectsError);  // chunks that do not add up to the size
}

TEST(BucketCopy, AnUnchangedBucketCostsItsListingOnlyAndGivesTheSameStream) {
  FakeBucket bucket;
  fillBucket(bucket);
  agentchat_test::MemoryBlobStore store;
  objects::BucketCopyOptions options;
  options.prefix = "uploads/";
  options.streamAbove = 1 << 20;  // big.bin goes the streamed way: HEAD, then GET
  auto first = copyBucket(bucket, store, nullptr, options);
  EXPECT_EQ(first.counts.objects, kHostileKeys.size() + 1);
  EXPECT_EQ(first.counts.fetched, first.counts.objects);
  EXPECT_EQ(bucket.gets, static_cast<int>(first.counts.objects));
  EXPECT_EQ(bucket.heads, 1);
  auto walked = walk(first.stream);
  ASSERT_EQ(walked.size(), first.counts.objects);
  for (const auto& w : walked) {
    const auto& o = bucket.objects.at("uploads/" + w.object.key);
    EXPECT_EQ(w.bytes, o.bytes) << w.object.key;
    EXPECT_EQ(w.object.metadata, o.metadata) << w.object.key;
  }

  bucket.gets = bucket.heads = 0;
  auto second = copyBucket(bucket, store, &first.catalog, options);
  EXPECT_EQ(bucket.gets + bucket.heads, 0);
  EXPECT_EQ(second.counts.reused, first.counts.objects);
  EXPECT_EQ(second.counts.requests, 0u);
  EXPECT_EQ(second.stream, first.stream);  // the same chunks, cut the same way

  // One object replaced, one new: those two are fetched, nothing else.
  bucket.objects["uploads/a.txt"] = {"new bytes", "etag-new", "", {}, s3::FetchStatus::Fetched};
  bucket.objects["uploads/zz-new.txt"] = {"fresh", "etag-fresh", "", {}, s3::FetchStatus::Fetched};
  bucket.gets = 0;
  auto third = copyBucket(bucket, store, &second.catalog, options);
  EXPECT_EQ(bucket.gets, 2);
  EXPECT_EQ(third.counts.fetched, 2u);
  EXPECT_EQ(third.counts.reused, first.counts.objects - 1);
  for (const auto& w : walk(third.stream))
    EXPECT_EQ(w.bytes, bucket.objects.at("uploads/" + w.object.key).bytes);
}

TEST(BucketCopy, WhatChangesOrVanishesAfterTheListingOrSleepsInAnArchiveIsReportedAndLeftOut) {
  FakeBucket bucket;
  fillBucket(bucket);
  bucket.objects["uploads/dir/b.pdf"].answer = s3::FetchStatus::Changed;
  bucket.objects["uploads/a.txt"].answer = s3::FetchStatus::Missing;
  bucket.objects["uploads/cold.bin"] = {"zzz", "etag-cold", "GLACIER", {}, s3::FetchStatus::Fetched};
  bucket.objects["uploads/thawed-not.bin"] = {"yyy", "etag-t", "STANDARD", {}, s3::FetchStatus::Fetched};
  bucket.objects["uploads/thawed-not.bin"].storageClass = "GLACIER_IR";  // readable: fetched
  agentchat_test::MemoryBlobStore store;
  objects::BucketCopyOptions options;
  options.prefix = "uploads/";
  auto copied = copyBucket(bucket, store, nullptr, options);
  EXPECT_EQ(copied.counts.changed, 1u);
  EXPECT_EQ(copied.counts.vanished, 1u);
  EXPECT_EQ(copied.counts.archived, 1u);
  EXPECT_EQ(copied.counts.warningCount, 3u);
  std::string warnings;
  for (const auto& w : copied.counts.warnings) warnings += w + "\n";
  EXPECT_THAT(warnings, HasSubstr("uploads/dir/b.pdf: replaced after it was listed"));
  EXPECT_THAT(warnings, HasSubstr("uploads/a.txt: removed after it was listed"));
  EXPECT_THAT(warnings, HasSubstr("uploads/cold.bin: storage class GLACIER"));
  std::set<std::string> keys;
  for (const auto& w : walk(copied.stream)) keys.insert(w.object.key);
  EXPECT_FALSE(keys.count("dir/b.pdf"));
  EXPECT_FALSE(keys.count("a.txt"));
  EXPECT_FALSE(keys.count("cold.bin"));
  EXPECT_TRUE(keys.count("thawed-not.bin"));
}

TEST(BucketCopy, TenThousandKeysOverTenPagesArriveOnceEachInOrder) {
  FakeBucket bucket;
  for (int i = 0; i < 10000; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "kb/%05d.txt", i);
    bucket.objects[key] = {std::to_string(i), "e" + std::to_string(i), "", {}, s3::FetchStatus::Fetched};
  }
  std::string stream, catalog;
  objects::BucketCopyOptions options;
  options.prefix = "kb/";
  objects::BucketCopy copy(bucket, {[&](std::string_view b) { stream.append(b); }, {}, {}, {}}, nullptr,
                           std::make_unique<MemoryWriter>(&catalog), options);
  copy.run();
  copy.close();
  EXPECT_EQ(copy.counts().listPages, 11u);  // ten full pages and the empty last one
  auto walked = walk(stream);
  ASSERT_EQ(walked.size(), 10000u);
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(walked[static_cast<std::size_t>(i)].bytes, std::to_string(i));
}

TEST(BucketCopy, AStoreThatFailsMidCopyFailsTheCopy) {
  FakeBucket bucket;
  fillBucket(bucket);
  bucket.failAfterGets = 5;
  agentchat_test::MemoryBlobStore store;
  objects::BucketCopyOptions options;
  options.prefix = "uploads/";
  EXPECT_THROW(copyBucket(bucket, store, nullptr, options), s3::S3Error);
}

// The next pages are listed while a page's objects are fetched: a listing that breaks off fails the
// copy after the pages before it, and a store that lists keys out of order is refused (the catalog
// and a restore's walk beside the target's listing count on key order).
TEST(BucketCopy, AListingThatBreaksOffOrComesOutOfOrderFailsTheCopy) {
  FakeBucket bucket;
  for (int i = 0; i < 3000; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "kb/%05d.txt", i);
    bucket.objects[key] = {std::to_string(i), "e" + std::to_string(i), "", {}, s3::FetchStatus::Fetched};
  }
  objects::BucketCopyOptions options;
  options.prefix = "kb/";
  auto copyAll = [&](std::string& stream) {
    std::string catalog;
    objects::BucketCopy copy(bucket, {[&](std::string_view b) { stream.append(b); }, {}, {}, {}}, nullptr,
                             std::make_unique<MemoryWriter>(&catalog), options);
    copy.run();
  };
  bucket.failAfterPages = 2;
  std::string stream;
  EXPECT_THROW(copyAll(stream), s3::S3Error);
  EXPECT_EQ(bucket.gets, 2000);  // the two pages before the break, and nothing after it
  bucket.failAfterPages = -1;
  bucket.unsorted = true;
  stream.clear();
  try {
    copyAll(stream);
    ADD_FAILURE() << "an unsorted listing was copied";
  } catch (const objects::ObjectsError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not in key order"));
  }
}

// The keys a restore created, for its rollback: any bytes, read back in one pass in key order.
TEST(CreatedKeys, KeysOfAnyBytesAreFoundInOnePassInKeyOrder) {
  objects::CreatedKeys keys;
  std::vector<std::string> added = {std::string("a\0b", 3), "a\nb", "kb/1.pdf", "kb/2.pdf", "资料/报告.pdf"};
  for (const auto& k : added) keys.add(k);
  EXPECT_EQ(keys.size(), added.size());
  objects::CreatedKeys::Cursor cursor(keys);
  EXPECT_FALSE(cursor.contains("a"));
  EXPECT_TRUE(cursor.contains(std::string("a\0b", 3)));
  EXPECT_TRUE(cursor.contains("a\nb"));
  EXPECT_FALSE(cursor.contains("kb/0.pdf"));
  EXPECT_TRUE(cursor.contains("kb/2.pdf"));  // kb/1.pdf passed by
  EXPECT_FALSE(cursor.contains("kb/3.pdf"));
  EXPECT_TRUE(cursor.contains("资料/报告.pdf"));
  EXPECT_FALSE(cursor.contains("资料/报告.pdf.bak"));
  objects::CreatedKeys none;
  EXPECT_FALSE(objects::CreatedKeys::Cursor(none).contains("kb/1.pdf"));
}

TEST(ObjectReferences, EveryUrlFormNamesItsKeyAndASignedUrlsQueryIsDropped) {
  objects::BucketAddress kb{"agentchat-kb", "files.example.com"};
  EXPECT_EQ(objects::keyOfUrl("s3://agentchat-kb/uploads/a.pdf", kb), "uploads/a.pdf");
  EXPECT_EQ(objects::keyOfUrl("oss://agentchat-kb/uploads/%E8%B5%84%E6%96%99.pdf", kb), "uploads/资料.pdf");
  EXPECT_EQ(objects::keyOfUrl("https://agentchat-kb.oss-cn-hangzhou.aliyuncs.com/uploads/a%20b.pdf"
                              "?OSSAccessKeyId=LTAI&Expires=1&Signature=SECRET",
                              kb),
            "uploads/a b.pdf");
  EXPECT_EQ(objects::keyOfUrl("http://127.0.0.1:4568/agentchat-kb/uploads/x.md", kb), "uploads/x.md");
  EXPECT_EQ(objects::keyOfUrl("https://files.example.com/uploads/y.md#page=2", kb), "uploads/y.md");
  EXPECT_EQ(objects::keyOfUrl("  s3://agentchat-kb/z \n", kb), "z");
  for (std::string other : {"s3://another/uploads/a.pdf", "https://another.oss.aliyuncs.com/a", "not a url",
                            "https://agentchat-kb.oss.aliyuncs.com/", "ftp://agentchat-kb/a"})
    EXPECT_FALSE(objects::keyOfUrl(other, kb)) << other;
}

TEST(ObjectReferences, RowsWithoutTheirObjectAndObjectsWithoutARowAreCounted) {
  objects::ReferenceCheck check({"kb", ""});
  check.row("1", "s3://kb/uploads/a.pdf");
  check.row("2", "s3://kb/uploads/gone.pdf");
  check.row("3", "s3://elsewhere/uploads/b.pdf");
  check.row("4", "https://kb.oss-cn-hangzhou.aliyuncs.com/uploads/a.pdf?Signature=x");  // a.pdf again
  check.listed("uploads/a.pdf");
  check.listed("uploads/orphan.pdf");
  auto report = check.finish();
  EXPECT_EQ(report.rows, 4u);
  EXPECT_EQ(report.otherBuckets, 1u);
  EXPECT_EQ(report.missing, 1u);
  ASSERT_EQ(report.firstMissing.size(), 1u);
  EXPECT_EQ(report.firstMissing[0], (std::pair<std::string, std::string>{"2", "uploads/gone.pdf"}));
  EXPECT_EQ(report.unreferenced, 1u);
  EXPECT_EQ(report.firstUnreferenced, std::vector<std::string>{"uploads/orphan.pdf"});
}
