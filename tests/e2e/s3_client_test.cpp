// The S3 client against a real S3 server (s3rver, started per test by tests/s3/s3rver.sh): objects,
// listings with pagination (whole and page by page), object metadata written and read back, fetches
// pinned with If-Match (412 and 404 told, not thrown), archived objects, a 200 MiB streamed multipart
// round trip with bounded memory, interrupted uploads that leave nothing behind, retries and resumed
// downloads through a faulty proxy.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "base/sha256.hpp"
#include "s3_fixture.hpp"
#include "volumes/s3/client.hpp"
#include "volumes/s3/transport.hpp"

namespace s3 = volumes::s3;

namespace {

// Deterministic bytes for any offset, so a range of a large object can be checked without keeping it.
char byteAt(std::uint64_t offset) {
  std::uint64_t x = offset * 0x9E3779B97F4A7C15ULL;
  x ^= x >> 29;
  return static_cast<char>(x * 0xBF58476D1CE4E5B9ULL >> 56);
}

std::string bytesAt(std::uint64_t offset, std::size_t count) {
  std::string out(count, '\0');
  for (std::size_t i = 0; i < count; ++i) out[i] = byteAt(offset + i);
  return out;
}

std::string collect(s3::Client& client, const std::string& key, std::uint64_t offset = 0,
                    std::optional<std::uint64_t> length = std::nullopt) {
  std::string out;
  client.getObject(
      key, [&](std::string_view bytes) { out.append(bytes); }, offset, length);
  return out;
}

s3::ObjectMetadata knowledgeFileMetadata() {
  s3::ObjectMetadata metadata;
  metadata.contentType = "application/pdf";
  metadata.contentEncoding = "gzip";  // the bytes are not gzip: curl must not try to decode them
  metadata.contentDisposition = "attachment; filename=\"kb guide.pdf\"";
  metadata.contentLanguage = "zh-CN";
  metadata.cacheControl = "no-cache";
  metadata.user = {{"Source", "wiki"}, {"sha256", "abc123"}, {"empty", ""}};
  return metadata;
}

// As a GET tells it: user names lower-case, sorted.
s3::ObjectMetadata asRead(s3::ObjectMetadata metadata) {
  metadata.user = {{"empty", ""}, {"sha256", "abc123"}, {"source", "wiki"}};
  return metadata;
}

s3::Fetched fetchInto(s3::Client& client, const std::string& key, const std::string& ifMatch,
                      std::string& out, int* chunks = nullptr) {
  return client.fetchObject(key, ifMatch, [&](std::string_view bytes) {
    out.append(bytes);
    if (chunks != nullptr) ++*chunks;
  });
}

long peakRssKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

TEST(S3Client, PutGetHeadListDelete) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client client(server.config());
  client.putObject("backups/manifest.json", R"({"id":1})");
  EXPECT_EQ(client.getSmallObject("backups/manifest.json", 1024), R"({"id":1})");
  auto info = client.headObject("backups/manifest.json");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 8u);
  EXPECT_FALSE(info->etag.empty());
  EXPECT_EQ(info->etag.find('"'), std::string::npos);
  EXPECT_FALSE(client.getSmallObject("backups/missing", 1024).has_value());
  EXPECT_FALSE(client.headObject("backups/missing").has_value());
  try {
    client.getSmallObject("backups/manifest.json", 4);
    FAIL() << "an object larger than the limit was accepted";
  } catch (const s3::S3Error& error) {
    EXPECT_NE(std::string(error.what()).find("larger than 4 bytes"), std::string::npos) << error.what();
  }
  try {
    collect(client, "backups/missing");
    FAIL() << "a missing object streamed";
  } catch (const s3::S3Error& error) {
    EXPECT_EQ(error.httpStatus(), 404);
    EXPECT_EQ(error.code(), "NoSuchKey");
    EXPECT_NE(
        std::string(error.what()).find("GetObject s3://agentchat-test/backups/missing failed: HTTP 404"),
        std::string::npos)
        << error.what();
  }
  // Keys with spaces, '+', and non-ASCII characters come back exactly.
  const std::string odd = "backups/a b+c/ሴ é~(1).txt";
  client.putObject(odd, "odd");
  EXPECT_EQ(client.getSmallObject(odd, 16), "odd");
  auto listed = client.listObjects("backups/");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].key, odd);
  EXPECT_EQ(listed[1].key, "backups/manifest.json");
  EXPECT_EQ(listed[1].size, 8u);
  client.deleteObject(odd);
  client.deleteObject(odd);  // already gone: not an error
  EXPECT_EQ(client.listObjects("backups/").size(), 1u);
  client.putObject("empty", "");
  EXPECT_EQ(client.getSmallObject("empty", 0), "");
}

TEST(S3Client, ListsEveryPage) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client client(server.config());
  // 1001 keys: one more than S3's page, so the default listing needs a continuation token too.
  const int count = 1001;
  for (int i = 0; i < count; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "many/%05d", i);
    client.putObject(key, std::to_string(i));
  }
  client.putObject("other/x", "x");
  auto all = client.listObjects("many/");
  ASSERT_EQ(all.size(), static_cast<std::size_t>(count));
  EXPECT_EQ(all.front().key, "many/00000");
  EXPECT_EQ(all.back().key, "many/01000");
  auto paged = client.listObjects("many/0000", 3);  // 10 keys in pages of 3
  ASSERT_EQ(paged.size(), 10u);
  EXPECT_EQ(paged[9].key, "many/00009");
  EXPECT_EQ(client.listObjects("").size(), static_cast<std::size_t>(count + 1));
}

TEST(S3Client, ListsPageByPageInKeyOrder) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client client(server.config());
  std::vector<std::string> keys;
  for (int i = 0; i < 30; ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "paged/%02d", (i * 7) % 30);  // written out of order
    keys.push_back(key);
    client.putObject(key, std::string(static_cast<std::size_t>(i), 'x'));
  }
  client.putObject("pagedz", "outside the prefix");
  std::sort(keys.begin(), keys.end());
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::vector<std::string> seen;
  std::vector<std::size_t> pageSizes;
  client.listObjects(
      "paged/",
      [&](std::vector<s3::ObjectInfo>& page) {
        pageSizes.push_back(page.size());
        for (auto& object : page) {
          seen.push_back(object.key);
          EXPECT_FALSE(object.etag.empty());
          EXPECT_EQ(object.storageClass, "STANDARD");
          auto modified = std::chrono::nanoseconds(s3::parseIsoTime(object.lastModified));
          EXPECT_LT(std::chrono::abs(modified - now), std::chrono::hours(1)) << object.lastModified;
        }
      },
      7);
  EXPECT_EQ(seen, keys);  // every key once, in order
  EXPECT_EQ(pageSizes, (std::vector<std::size_t>{7, 7, 7, 7, 2}));

  // The vector listing is built on the paged one, and an exception from a page ends the listing.
  EXPECT_EQ(client.listObjects("paged/", 7).size(), 30u);
  int pages = 0;
  EXPECT_THROW(client.listObjects(
                   "paged/",
                   [&](std::vector<s3::ObjectInfo>&) {
                     if (++pages == 2) throw std::runtime_error("sink full");
                   },
                   7),
               std::runtime_error);
  EXPECT_EQ(pages, 2);
}

TEST(S3Client, MetadataWrittenIsMetadataFetched) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.partSize = 1 << 20;
  s3::Client client(config);
  const auto metadata = knowledgeFileMetadata();
  const std::string body = bytesAt(0, 1000);
  client.putObject("kb/guide.pdf", body, metadata);

  std::string got;
  s3::Fetched fetched = fetchInto(client, "kb/guide.pdf", "", got);
  EXPECT_EQ(fetched.status, s3::FetchStatus::Fetched);
  EXPECT_TRUE(got == body);  // byte for byte: Content-Encoding is not decoded
  EXPECT_EQ(fetched.size, body.size());
  EXPECT_EQ(fetched.metadata, asRead(metadata));
  ASSERT_TRUE(client.headObject("kb/guide.pdf").has_value());
  EXPECT_EQ(fetched.etag, client.headObject("kb/guide.pdf")->etag);

  s3::Fetched described = client.describeObject("kb/guide.pdf");
  EXPECT_EQ(described.status, s3::FetchStatus::Fetched);
  EXPECT_EQ(described.metadata, asRead(metadata));
  EXPECT_EQ(described.etag, fetched.etag);
  EXPECT_EQ(described.size, body.size());
  EXPECT_EQ(client.describeObject("kb/missing").status, s3::FetchStatus::Missing);

  // What a fetch tells, a PUT sets again (a restore).
  client.putObject("restored/guide.pdf", got, fetched.metadata);
  std::string again;
  EXPECT_EQ(fetchInto(client, "restored/guide.pdf", "", again).metadata, asRead(metadata));

  // A multipart upload carries the metadata on CreateMultipartUpload; complete() names the ETag.
  const std::size_t size = (5 << 19) + 11;  // two full parts and a short one
  auto upload = client.startUpload("kb/big.pdf", metadata);
  upload->write(bytesAt(7, size));
  s3::ObjectInfo info = upload->complete();
  EXPECT_EQ(upload->partsUploaded(), 3);
  EXPECT_FALSE(info.etag.empty());
  std::string big;
  s3::Fetched bigFetched = fetchInto(client, "kb/big.pdf", info.etag, big);
  EXPECT_EQ(bigFetched.status, s3::FetchStatus::Fetched);
  EXPECT_EQ(bigFetched.etag, info.etag);
  EXPECT_EQ(bigFetched.metadata, asRead(metadata));
  EXPECT_TRUE(big == bytesAt(7, size));
  // And on the single PutObject of an upload that fit in one part.
  auto small = client.startUpload("kb/small.pdf", metadata);
  small->write("tiny");
  const std::string smallEtag = small->complete().etag;
  ASSERT_TRUE(client.headObject("kb/small.pdf").has_value());
  EXPECT_EQ(smallEtag, client.headObject("kb/small.pdf")->etag);
  EXPECT_EQ(client.describeObject("kb/small.pdf").metadata, asRead(metadata));

  // Metadata that cannot be sent fails before any request.
  s3::ObjectMetadata smuggling;
  smuggling.user = {{"note", "a\r\nx-amz-acl: public-read"}};
  EXPECT_THROW(client.putObject("kb/never", "x", smuggling), s3::S3Error);
  EXPECT_THROW(client.startUpload("kb/never", smuggling), s3::S3Error);
  EXPECT_FALSE(client.headObject("kb/never").has_value());
}

TEST(S3Client, AFetchTellsAMissingOrReplacedObjectAndDeliversNothing) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client client(server.config());
  client.putObject("kb/a.txt", "version one");
  const std::string listed = client.headObject("kb/a.txt")->etag;
  client.putObject("kb/a.txt", "version two, replaced since it was listed");
  const std::string current = client.headObject("kb/a.txt")->etag;
  ASSERT_NE(listed, current);

  std::string got;
  int chunks = 0;
  s3::Fetched changed = fetchInto(client, "kb/a.txt", listed, got, &chunks);
  EXPECT_EQ(changed.status, s3::FetchStatus::Changed);  // s3rver's wrapper answers 412 as S3 does
  EXPECT_EQ(chunks, 0);
  EXPECT_EQ(changed.size, 0u);
  EXPECT_EQ(got, "");

  s3::Fetched fetched = fetchInto(client, "kb/a.txt", "\"" + current + "\"", got);  // quotes are fine
  EXPECT_EQ(fetched.status, s3::FetchStatus::Fetched);
  EXPECT_EQ(got, "version two, replaced since it was listed");
  EXPECT_EQ(fetched.etag, current);

  got.clear();
  EXPECT_EQ(fetchInto(client, "kb/missing.txt", "", got, &chunks).status, s3::FetchStatus::Missing);
  EXPECT_EQ(fetchInto(client, "kb/missing.txt", listed, got, &chunks).status, s3::FetchStatus::Missing);
  EXPECT_EQ(chunks, 0);
  // getObject keeps throwing for a missing object.
  EXPECT_THROW(collect(client, "kb/missing.txt"), s3::S3Error);
}

TEST(S3Client, AFetchResumesACutDownloadPinnedToTheListedObject) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client direct(server.config());
  const std::size_t size = 3 << 20;
  direct.putObject("kb/video.mp4", bytesAt(5, size), knowledgeFileMetadata());
  const std::string etag = direct.headObject("kb/video.mp4")->etag;
  e2e::FaultyProxy proxy(server.port(), 0, 0, (1 << 20) + 333);  // the GET is cut ~1 MiB in
  auto config = server.config();
  config.endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  s3::Client client(config);
  std::string got;
  s3::Fetched fetched = fetchInto(client, "kb/video.mp4", etag, got);
  EXPECT_GE(proxy.connections(), 2);
  EXPECT_EQ(fetched.status, s3::FetchStatus::Fetched);
  EXPECT_EQ(fetched.size, size);
  ASSERT_EQ(got.size(), size);
  EXPECT_TRUE(got == bytesAt(5, size));
  EXPECT_EQ(fetched.etag, etag);
  EXPECT_EQ(fetched.metadata, asRead(knowledgeFileMetadata()));  // from the resumed (206) answer
}

TEST(S3Client, AnArchivedObjectMustBeRestoredBeforeItIsFetched) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  s3::Client client(config);
  // Our client sets no storage class; a raw signed PUT does, as a lifecycle rule would have.
  s3::HttpCall put{
      "PutObject", "PUT",  "kb/2019/report.pdf", {}, {{"x-amz-storage-class", "GLACIER"}}, "frozen",
      nullptr,     1 << 20};
  ASSERT_EQ(s3::perform(config, put).status, 200);
  std::string got;
  try {
    fetchInto(client, "kb/2019/report.pdf", "", got);
    FAIL() << "an archived object was fetched";
  } catch (const s3::S3Error& error) {
    EXPECT_EQ(error.code(), "InvalidObjectState");
    EXPECT_EQ(error.httpStatus(), 403);
    std::string message = error.what();
    EXPECT_NE(message.find("s3://agentchat-test/kb/2019/report.pdf"), std::string::npos) << message;
    EXPECT_NE(message.find("(GLACIER) and must be restored (thawed) first"), std::string::npos) << message;
  }
  EXPECT_EQ(got, "");
  EXPECT_EQ(client.describeObject("kb/2019/report.pdf").status, s3::FetchStatus::Fetched);  // HEAD works
}

TEST(S3Client, RangeGet) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client client(server.config());
  client.putObject("digits", "0123456789");
  EXPECT_EQ(collect(client, "digits", 2, 5), "23456");
  EXPECT_EQ(collect(client, "digits", 5), "56789");
  EXPECT_EQ(collect(client, "digits", 0, 0), "");
  EXPECT_EQ(collect(client, "digits"), "0123456789");
  EXPECT_THROW(collect(client, "digits", 20, 2), s3::S3Error);  // past the end: 416
}

TEST(S3Client, StreamsA200MiBMultipartUploadWithOnePartBuffered) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.partSize = 8 << 20;
  config.minPartSize = 5 << 20;  // S3's real minimum
  s3::Client client(config);
  const std::uint64_t total = (200ULL << 20) + 12345;  // a short last part
  long rssBefore = peakRssKiB();

  base::Sha256 sent;
  auto started = std::chrono::steady_clock::now();
  auto upload = client.startUpload("big/volume.tar.zst");
  std::string chunk;
  for (std::uint64_t offset = 0; offset < total;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(1000003, total - offset));  // odd chunks
    chunk = bytesAt(offset, n);
    sent.update(chunk);
    upload->write(chunk);
    EXPECT_LE(upload->bufferedBytes(), config.partSize);
    offset += n;
  }
  s3::ObjectInfo info = upload->complete();
  double uploadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(info.size, total);
  EXPECT_EQ(upload->partsUploaded(), 26);  // 25 full parts of 8 MiB and the rest
  EXPECT_LE(upload->peakBufferedBytes(), config.partSize);
  EXPECT_LE(upload->bufferCapacity(), config.partSize);
  upload.reset();

  auto head = client.headObject("big/volume.tar.zst");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size, total);

  base::Sha256 received;
  std::uint64_t receivedBytes = 0;
  started = std::chrono::steady_clock::now();
  client.getObject("big/volume.tar.zst", [&](std::string_view bytes) {
    received.update(bytes);
    receivedBytes += bytes.size();
  });
  double downloadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(receivedBytes, total);
  EXPECT_EQ(received.hexDigest(), sent.hexDigest());
  // A range across the boundary of parts 1 and 2.
  std::uint64_t at = (8ULL << 20) - 100;
  EXPECT_EQ(collect(client, "big/volume.tar.zst", at, 300), bytesAt(at, 300));
  EXPECT_TRUE(client.listMultipartUploads("big/").empty());

  long rssGrowthMiB = (peakRssKiB() - rssBefore) / 1024;
  double mib = static_cast<double>(total) / (1 << 20);
  std::cout << "[ S3 200 MiB ] upload " << uploadSeconds << " s (" << mib / uploadSeconds
            << " MiB/s), download " << downloadSeconds << " s (" << mib / downloadSeconds
            << " MiB/s), peak RSS growth " << rssGrowthMiB << " MiB\n";
  RecordProperty("upload_seconds", std::to_string(uploadSeconds));
  RecordProperty("download_seconds", std::to_string(downloadSeconds));
  RecordProperty("peak_rss_growth_mib", std::to_string(rssGrowthMiB));
  // One part buffer (8 MiB) plus curl and the test's own chunk: far below the object's 200 MiB.
  // AddressSanitizer keeps freed memory in its quarantine (256 MiB by default), which RSS counts too;
  // the buffer bounds above hold in every build.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long kRssBoundMiB = 64 + 256;
#else
  constexpr long kRssBoundMiB = 64;
#endif
  EXPECT_LT(rssGrowthMiB, kRssBoundMiB);
}

TEST(S3Client, ADestroyedUploadLeavesNoObjectAndNoPendingUpload) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.partSize = 1 << 20;
  s3::Client client(config);
  {
    auto upload = client.startUpload("partial/one");
    upload->write(bytesAt(0, (3 << 20) + 500));
    EXPECT_EQ(upload->partsUploaded(), 3);
    auto pending = client.listMultipartUploads("partial/");
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].key, "partial/one");
    EXPECT_EQ(pending[0].uploadId, upload->uploadId());
  }  // destroyed without complete(): aborted
  EXPECT_TRUE(client.listMultipartUploads("partial/").empty());
  EXPECT_FALSE(client.headObject("partial/one").has_value());
  EXPECT_TRUE(client.listObjects("partial/").empty());

  // Explicit clean-up of what a crashed run left: list, then abort.
  auto leftover = client.startUpload("partial/two");
  leftover->write(bytesAt(0, 1 << 20));
  for (const auto& pending : client.listMultipartUploads("partial/")) {
    client.abortMultipartUpload(pending.key, pending.uploadId);
  }
  EXPECT_TRUE(client.listMultipartUploads("partial/").empty());
}

TEST(S3Client, AFailingSourceLeavesNoObjectAndNoPendingUpload) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.partSize = 1 << 20;
  s3::Client client(config);
  std::uint64_t produced = 0;
  base::ChunkSource source = [&](char* buffer, std::size_t capacity) -> std::size_t {
    if (produced > (5 << 20)) throw std::runtime_error("mysqldump died");
    std::size_t n = std::min<std::size_t>(capacity, 300000);
    std::string bytes = bytesAt(produced, n);
    std::copy(bytes.begin(), bytes.end(), buffer);
    produced += n;
    return n;
  };
  try {
    auto upload = client.startUpload("failing/dump.sql.zst");
    std::string buffer(256 * 1024, '\0');
    while (std::size_t n = source(buffer.data(), buffer.size())) upload->write({buffer.data(), n});
    upload->complete();
    FAIL() << "the source's failure was swallowed";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "mysqldump died");
  }
  EXPECT_TRUE(client.listMultipartUploads("failing/").empty());
  EXPECT_TRUE(client.listObjects("failing/").empty());
}

TEST(S3Client, SmallUploadsUseOnePutAndSeveralThreadsShareAClient) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.partSize = 1 << 20;
  s3::Client client(config);
  auto small = client.startUpload("threads/small");
  small->write("tiny");
  EXPECT_EQ(small->complete().size, 4u);
  EXPECT_TRUE(small->uploadId().empty());  // never became a multipart upload
  EXPECT_THROW(small->write("more"), s3::S3Error);

  std::vector<std::thread> threads;
  std::vector<std::string> failures(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto upload = client.startUpload("threads/" + std::to_string(t));
        upload->write(bytesAt(static_cast<std::uint64_t>(t) << 24, (2 << 20) + 7));
        upload->complete();
      } catch (const std::exception& error) {
        failures[static_cast<std::size_t>(t)] = error.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(failures[static_cast<std::size_t>(t)], "");
    EXPECT_EQ(collect(client, "threads/" + std::to_string(t)),
              bytesAt(static_cast<std::uint64_t>(t) << 24, (2 << 20) + 7));
  }
}

TEST(S3Client, RetriesDroppedConnections) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  e2e::FaultyProxy proxy(server.port(), 2);  // the first two connections die unanswered
  auto config = server.config();
  config.endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  config.partSize = 1 << 20;
  s3::Client client(config);
  auto upload = client.startUpload("retry/object");
  upload->write(bytesAt(0, (2 << 20) + 3));
  upload->complete();
  EXPECT_GE(proxy.connections(), 3);
  EXPECT_EQ(collect(client, "retry/object"), bytesAt(0, (2 << 20) + 3));

  // With retries exhausted the error names the endpoint and says what to check.
  e2e::FaultyProxy dead(server.port(), 1000);
  config.endpoint = "http://127.0.0.1:" + std::to_string(dead.port());
  config.retries = 2;
  s3::Client hopeless(config);
  try {
    hopeless.putObject("retry/never", "x");
    FAIL() << "a dead endpoint accepted an object";
  } catch (const s3::S3Error& error) {
    EXPECT_EQ(error.httpStatus(), 0);
    EXPECT_TRUE(error.retryable());
    std::string message = error.what();
    EXPECT_NE(message.find("PutObject s3://agentchat-test/retry/never failed"), std::string::npos) << message;
    EXPECT_NE(message.find("gave up after 3 tries"), std::string::npos) << message;
    EXPECT_NE(message.find("AWS_ENDPOINT_URL"), std::string::npos) << message;
  }
  EXPECT_EQ(dead.connections(), 3);
}

TEST(S3Client, ResumesACutDownloadWithoutDuplicatingBytes) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  s3::Client direct(server.config());
  const std::size_t size = 3 << 20;
  direct.putObject("resume/blob", bytesAt(0, size));
  // The first connection through the proxy carries the GET and is cut ~1 MiB into the answer.
  e2e::FaultyProxy proxy(server.port(), 0, 0, (1 << 20) + 777);
  auto config = server.config();
  config.endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());
  s3::Client client(config);
  std::string got;
  int chunks = 0;
  client.getObject("resume/blob", [&](std::string_view bytes) {
    got.append(bytes);
    ++chunks;
  });
  EXPECT_GE(proxy.connections(), 2);
  ASSERT_EQ(got.size(), size);
  EXPECT_TRUE(got == bytesAt(0, size));
}

TEST(S3Client, AnUnknownAccessKeyIsAClear403) {
  e2e::S3rver server;
  REQUIRE_S3RVER(server);
  auto config = server.config();
  config.credentials = {"NOT-A-KEY", "very-secret-value", ""};
  s3::Client client(config);
  try {
    client.putObject("denied/x", "x");
    FAIL() << "an unknown access key was accepted";
  } catch (const s3::S3Error& error) {
    EXPECT_EQ(error.httpStatus(), 403);
    EXPECT_EQ(error.code(), "InvalidAccessKeyId");
    EXPECT_FALSE(error.retryable());
    std::string message = error.what();
    EXPECT_NE(message.find("PutObject s3://agentchat-test/denied/x failed: HTTP 403 InvalidAccessKeyId"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos)
        << message;
    EXPECT_EQ(message.find("very-secret-value"), std::string::npos);
    EXPECT_EQ(message.find("Signature="), std::string::npos);
  }
}

}  // namespace
