// The S3 client's pure parts: s3:// locations, configuration from the environment (and a shared
// credentials file with profiles), request URLs in both addressing styles, and S3's XML answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "volumes/s3/config.hpp"
#include "volumes/s3/url.hpp"
#include "volumes/s3/xml.hpp"

namespace s3 = volumes::s3;

namespace {

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const s3::S3Error& error) {
    return error.what();
  }
  return "";
}

TEST(S3Location, ParsesBucketAndPrefix) {
  auto location = s3::parseLocation("s3://my-bucket/backups/prod/");
  EXPECT_EQ(location.bucket, "my-bucket");
  EXPECT_EQ(location.prefix, "backups/prod");
  EXPECT_EQ(s3::parseLocation("s3://my.bucket").prefix, "");
  EXPECT_EQ(s3::parseLocation("s3://abc/").prefix, "");
}

TEST(S3Location, RejectsBadInputWithAClearMessage) {
  EXPECT_NE(errorOf([] { s3::parseLocation("https://bucket/x"); }).find("expected s3://BUCKET"),
            std::string::npos);
  EXPECT_NE(errorOf([] { s3::parseLocation("s3://My_Bucket/x"); }).find("invalid bucket name 'My_Bucket'"),
            std::string::npos);
  EXPECT_NE(errorOf([] { s3::parseLocation("s3://ab"); }).find("3 to 63"), std::string::npos);
  EXPECT_NE(errorOf([] { s3::parseLocation("s3:///prefix"); }).find("invalid bucket name"),
            std::string::npos);
  EXPECT_NE(errorOf([] { s3::parseLocation("s3://bucket/a//b"); }).find("invalid prefix"), std::string::npos);
  EXPECT_NE(errorOf([] { s3::parseLocation("s3://bucket/a/../b"); }).find("'..'"), std::string::npos);
}

TEST(S3Config, ReadsTheEnvironmentLikeTheAwsCli) {
  auto config = s3::configFromEnvironment({{"AWS_ACCESS_KEY_ID", "AKID"},
                                           {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                           {"AWS_SESSION_TOKEN", "TOKEN"},
                                           {"AWS_DEFAULT_REGION", "eu-central-1"},
                                           {"HOME", "/nonexistent"}});
  EXPECT_EQ(config.region, "eu-central-1");
  EXPECT_EQ(config.endpoint, "https://s3.eu-central-1.amazonaws.com");
  EXPECT_FALSE(config.pathStyle);
  EXPECT_EQ(config.credentials.accessKeyId, "AKID");
  EXPECT_EQ(config.credentials.secretAccessKey, "SECRET");
  EXPECT_EQ(config.credentials.sessionToken, "TOKEN");

  auto local = s3::configFromEnvironment({{"AWS_ACCESS_KEY_ID", "a"},
                                          {"AWS_SECRET_ACCESS_KEY", "b"},
                                          {"AWS_REGION", "us-west-2"},
                                          {"AWS_DEFAULT_REGION", "eu-central-1"},
                                          {"AWS_ENDPOINT_URL", "http://ignored:1"},
                                          {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4568/"}});
  EXPECT_EQ(local.region, "us-west-2");
  EXPECT_EQ(local.endpoint, "http://127.0.0.1:4568");
  EXPECT_TRUE(local.pathStyle);

  auto forced = s3::configFromEnvironment(
      {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}, {"AWS_S3_FORCE_PATH_STYLE", "true"}});
  EXPECT_EQ(forced.region, "us-east-1");
  EXPECT_TRUE(forced.pathStyle);
  auto notForced = s3::configFromEnvironment({{"AWS_ACCESS_KEY_ID", "a"},
                                              {"AWS_SECRET_ACCESS_KEY", "b"},
                                              {"AWS_ENDPOINT_URL", "https://minio.example:9000"},
                                              {"AGENTCHAT_S3_PATH_STYLE", "0"}});
  EXPECT_FALSE(notForced.pathStyle);
  EXPECT_NE(
      errorOf([] {
        s3::configFromEnvironment(
            {{"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}, {"AWS_ENDPOINT_URL", "minio:9000"}});
      }).find("must start with http:// or https://"),
      std::string::npos);
}

class S3ConfigFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("s3-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / ".aws");
    std::ofstream(dir_ / ".aws/credentials") << "# comment\n[default]\naws_access_key_id = DEFAULTID\n"
                                                "aws_secret_access_key = DEFAULTSECRET\n\n"
                                                "[backup]\naws_access_key_id=BACKUPID\n"
                                                "aws_secret_access_key=BACKUPSECRET\naws_session_token=BT\n"
                                                "[broken]\naws_access_key_id=X\n";
    std::ofstream(dir_ / ".aws/config")
        << "[default]\nregion = ap-south-1\n[profile backup]\nregion=sa-east-1\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(S3ConfigFiles, ReadsProfilesFromTheSharedFiles) {
  auto config = s3::configFromEnvironment({{"HOME", dir_.string()}});
  EXPECT_EQ(config.credentials.accessKeyId, "DEFAULTID");
  EXPECT_EQ(config.credentials.secretAccessKey, "DEFAULTSECRET");
  EXPECT_EQ(config.region, "ap-south-1");

  auto backup = s3::configFromEnvironment({{"HOME", dir_.string()}, {"AWS_PROFILE", "backup"}});
  EXPECT_EQ(backup.credentials.accessKeyId, "BACKUPID");
  EXPECT_EQ(backup.credentials.sessionToken, "BT");
  EXPECT_EQ(backup.region, "sa-east-1");
  EXPECT_EQ(backup.endpoint, "https://s3.sa-east-1.amazonaws.com");

  std::filesystem::rename(dir_ / ".aws/credentials", dir_ / "creds");
  auto moved = s3::configFromEnvironment(
      {{"HOME", "/nonexistent"}, {"AWS_SHARED_CREDENTIALS_FILE", (dir_ / "creds").string()}});
  EXPECT_EQ(moved.credentials.accessKeyId, "DEFAULTID");
  // Variables win over the file.
  auto env = s3::configFromEnvironment({{"AWS_SHARED_CREDENTIALS_FILE", (dir_ / "creds").string()},
                                        {"AWS_ACCESS_KEY_ID", "ENVID"},
                                        {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}});
  EXPECT_EQ(env.credentials.accessKeyId, "ENVID");
}

TEST_F(S3ConfigFiles, MissingCredentialsSayWhatToSet) {
  std::string none = errorOf([] { s3::configFromEnvironment({{"HOME", "/nonexistent"}}); });
  EXPECT_NE(none.find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), std::string::npos) << none;
  EXPECT_NE(none.find("/nonexistent/.aws/credentials"), std::string::npos) << none;
  std::string profile = errorOf([&] {
    s3::configFromEnvironment({{"HOME", dir_.string()}, {"AWS_PROFILE", "nope"}});
  });
  EXPECT_NE(profile.find("has no profile [nope] (named by AWS_PROFILE)"), std::string::npos) << profile;
  std::string broken = errorOf([&] {
    s3::configFromEnvironment({{"HOME", dir_.string()}, {"AWS_PROFILE", "broken"}});
  });
  EXPECT_NE(broken.find("lacks aws_access_key_id or aws_secret_access_key"), std::string::npos) << broken;
  std::string half = errorOf([] { s3::configFromEnvironment({{"AWS_ACCESS_KEY_ID", "a"}}); });
  EXPECT_NE(half.find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos) << half;
  // No secret in any message.
  EXPECT_EQ(broken.find("DEFAULTSECRET"), std::string::npos);
}

s3::Config urlConfig(const std::string& endpoint, bool pathStyle) {
  s3::Config config;
  config.endpoint = endpoint;
  config.pathStyle = pathStyle;
  return config;
}

TEST(S3Url, VirtualHostedAndPathStyle) {
  auto virtualHosted = s3::buildTarget(urlConfig("https://s3.eu-west-1.amazonaws.com", false), "bkt",
                                       "backups/a b+c/ሴ.tar", {});
  EXPECT_EQ(virtualHosted.url, "https://bkt.s3.eu-west-1.amazonaws.com/backups/a%20b%2Bc/%E1%88%B4.tar");
  EXPECT_EQ(virtualHosted.host, "bkt.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(virtualHosted.path, "/backups/a b+c/ሴ.tar");

  auto pathStyle = s3::buildTarget(urlConfig("https://s3.eu-west-1.amazonaws.com", true), "bkt", "k~1", {});
  EXPECT_EQ(pathStyle.url, "https://s3.eu-west-1.amazonaws.com/bkt/k~1");
  EXPECT_EQ(pathStyle.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(pathStyle.path, "/bkt/k~1");

  // An IP endpoint cannot do virtual hosts, whatever the flag says; the port stays in Host.
  auto local = s3::buildTarget(urlConfig("http://127.0.0.1:4568", false), "bkt", "",
                               {{"list-type", "2"}, {"prefix", "a b/"}, {"continuation-token", "x+y="}});
  EXPECT_EQ(local.url, "http://127.0.0.1:4568/bkt?continuation-token=x%2By%3D&list-type=2&prefix=a%20b%2F");
  EXPECT_EQ(local.host, "127.0.0.1:4568");
  // Dotted buckets over https would break the wildcard certificate.
  EXPECT_TRUE(s3::usesPathStyle(urlConfig("https://s3.amazonaws.com", false), "my.bucket"));
  EXPECT_FALSE(s3::usesPathStyle(urlConfig("https://s3.amazonaws.com", false), "my-bucket"));
  // A bare flag query is sent as "uploads=", as SigV4 canonicalises it.
  EXPECT_EQ(s3::buildTarget(urlConfig("http://minio:9000/base/", true), "b", "k", {{"uploads", ""}}).url,
            "http://minio:9000/base/b/k?uploads=");
  EXPECT_TRUE(s3::defaultPathStyle("http://minio:9000"));
  EXPECT_TRUE(s3::defaultPathStyle("https://storage.example.com"));
  EXPECT_FALSE(s3::defaultPathStyle("https://s3.us-east-1.amazonaws.com"));
}

TEST(S3Xml, ParsesListObjectsV2) {
  auto page = s3::xml::parseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>b/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>b/one &amp; two.txt</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>b/&#x1F600;</Key><ETag>"abc-2"</ETag><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)");
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "b/one & two.txt");
  EXPECT_EQ(page.objects[0].size, 434234u);
  EXPECT_EQ(page.objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page.objects[1].key, "b/\xF0\x9F\x98\x80");
  EXPECT_EQ(page.objects[1].etag, "abc-2");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.nextContinuationToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

  auto empty = s3::xml::parseListObjectsV2(
      "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></"
      "ListBucketResult>");
  EXPECT_TRUE(empty.objects.empty());
  EXPECT_FALSE(empty.truncated);
  EXPECT_THROW(s3::xml::parseListObjectsV2("<html>proxy error</html>"), s3::S3Error);
  EXPECT_THROW(
      s3::xml::parseListObjectsV2("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents>"
                                  "</ListBucketResult>"),
      s3::S3Error);
}

TEST(S3Xml, ParsesListMultipartUploads) {
  auto page = s3::xml::parseListMultipartUploads(
      R"(<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker/>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker><NextUploadIdMarker>YW55IGlkZWEgd2h5</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>
  <Upload><Key>my-divisor</Key><UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID></Initiator><StorageClass>STANDARD</StorageClass></Upload>
  <Upload><Key>my-movie.m2ts</Key><UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId></Upload>
</ListMultipartUploadsResult>)");
  ASSERT_EQ(page.uploads.size(), 2u);
  EXPECT_EQ(page.uploads[0].key, "my-divisor");
  EXPECT_EQ(page.uploads[0].uploadId, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(page.uploads[1].key, "my-movie.m2ts");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.nextKeyMarker, "my-movie.m2ts");
  EXPECT_EQ(page.nextUploadIdMarker, "YW55IGlkZWEgd2h5");
}

TEST(S3Xml, ParsesInitiateMultipartUploadAndErrors) {
  EXPECT_EQ(s3::xml::parseUploadId("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                                   "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>"),
            "VXBsb2FkIElE");
  EXPECT_THROW(s3::xml::parseUploadId("<InitiateMultipartUploadResult/>"), s3::S3Error);

  auto error = s3::xml::parseError(R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>
<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>)");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "NoSuchKey");
  EXPECT_EQ(error->message, "The resource you requested does not exist");
  EXPECT_FALSE(
      s3::xml::parseError("<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>"));
  EXPECT_FALSE(s3::xml::parseError(""));
}

TEST(S3Xml, WritesCompleteMultipartUpload) {
  EXPECT_EQ(s3::xml::completeMultipartBody({"a1", "b<2"}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"a1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"b&lt;2\"</ETag></Part></CompleteMultipartUpload>");
}

}  // namespace
