// The S3 client's pure parts: s3:// locations, configuration from the environment (and a shared
// credentials file with profiles) or an object source's own entry, request URLs in every addressing
// mode, object metadata as headers, S3's XML answers and the times in them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "volumes/s3/client.hpp"
#include "volumes/s3/config.hpp"
#include "volumes/s3/transport.hpp"
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

TEST_F(S3ConfigFiles, AnObjectSourceWithAProfileNeverTakesTheRepositorysKeys) {
  const std::map<std::string, std::string> env{{"HOME", dir_.string()},
                                               {"AWS_ACCESS_KEY_ID", "ENVID"},
                                               {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                               {"AWS_PROFILE", "broken"}};
  s3::Access access;
  access.profile = "backup";
  auto config = s3::configForAccess(s3::parseLocation("s3://kb-files/docs"), access, env);
  EXPECT_EQ(config.bucket, "kb-files");
  EXPECT_EQ(config.credentials.accessKeyId, "BACKUPID");
  EXPECT_EQ(config.credentials.secretAccessKey, "BACKUPSECRET");
  EXPECT_EQ(config.credentials.sessionToken, "BT");
  EXPECT_EQ(config.region, "sa-east-1");  // the profile's region in ~/.aws/config
  EXPECT_EQ(config.endpoint, "https://s3.sa-east-1.amazonaws.com");
  EXPECT_EQ(config.addressing, s3::Addressing::Auto);

  // A credentials file alone: its [default], not AWS_PROFILE's; "~/" is $HOME.
  std::ofstream(dir_ / "kb-credentials")
      << "[default]\naws_access_key_id=KBID\naws_secret_access_key=KBSECRET\n";
  s3::Access file;
  file.credentialsFile = "~/kb-credentials";
  file.region = "eu-north-1";
  file.addressing = s3::Addressing::Virtual;
  auto fromFile = s3::configForAccess(s3::parseLocation("s3://kb-files"), file, env);
  EXPECT_EQ(fromFile.credentials.accessKeyId, "KBID");
  EXPECT_EQ(fromFile.credentials.sessionToken, "");
  EXPECT_EQ(fromFile.region, "eu-north-1");
  EXPECT_EQ(fromFile.endpoint, "https://s3.eu-north-1.amazonaws.com");
  EXPECT_EQ(fromFile.addressing, s3::Addressing::Virtual);

  // An OSS endpoint as Aliyun writes it: https is added, the region comes from the host, virtual hosts.
  s3::Access oss;
  oss.endpoint = "oss-cn-hangzhou.aliyuncs.com/";
  oss.profile = "backup";
  auto aliyun = s3::configForAccess(s3::parseLocation("s3://kb-files"), oss, env);
  EXPECT_EQ(aliyun.endpoint, "https://oss-cn-hangzhou.aliyuncs.com");
  EXPECT_EQ(aliyun.region, "cn-hangzhou");
  EXPECT_FALSE(aliyun.pathStyle);
  oss.endpoint = "https://s3.oss-ap-southeast-1-internal.aliyuncs.com";
  EXPECT_EQ(s3::configForAccess(s3::parseLocation("s3://kb-files"), oss, env).region, "ap-southeast-1");
  oss.region = "cn-shanghai";  // the entry's own region wins
  EXPECT_EQ(s3::configForAccess(s3::parseLocation("s3://kb-files"), oss, env).region, "cn-shanghai");
}

TEST_F(S3ConfigFiles, AnObjectSourceWithoutSettingsIsReachedLikeTheRepository) {
  const std::map<std::string, std::string> env{{"HOME", dir_.string()},
                                               {"AWS_ACCESS_KEY_ID", "ENVID"},
                                               {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                               {"AWS_REGION", "us-west-2"},
                                               {"AWS_ENDPOINT_URL", "http://minio.local:9000/"},
                                               {"AWS_S3_FORCE_PATH_STYLE", "false"}};
  auto repository = s3::configFromEnvironment(env);
  auto config = s3::configForAccess(s3::parseLocation("s3://kb-files"), {}, env);
  EXPECT_EQ(config.bucket, "kb-files");
  EXPECT_EQ(config.endpoint, repository.endpoint);
  EXPECT_EQ(config.endpoint, "http://minio.local:9000");
  EXPECT_EQ(config.region, "us-west-2");
  EXPECT_EQ(config.pathStyle, repository.pathStyle);
  EXPECT_FALSE(config.pathStyle);
  EXPECT_EQ(config.credentials.accessKeyId, "ENVID");

  // The entry's endpoint and region first; the environment's path-style flag is for its own endpoint.
  s3::Access access;
  access.endpoint = "https://storage.example.com";
  access.region = "auto";
  auto own = s3::configForAccess(s3::parseLocation("s3://kb-files"), access, env);
  EXPECT_EQ(own.endpoint, "https://storage.example.com");
  EXPECT_EQ(own.region, "auto");
  EXPECT_TRUE(own.pathStyle);  // defaultPathStyle for a host that is not AWS's
  EXPECT_EQ(own.credentials.accessKeyId, "ENVID");

  // No keys in the environment: the shared file's [default], as for the repository.
  auto shared = s3::configForAccess(s3::parseLocation("s3://kb-files"), {}, {{"HOME", dir_.string()}});
  EXPECT_EQ(shared.credentials.accessKeyId, "DEFAULTID");
  EXPECT_EQ(shared.region, "ap-south-1");
}

TEST_F(S3ConfigFiles, AnObjectSourcesMissingPieceIsNamedWithoutASecret) {
  const std::map<std::string, std::string> env{
      {"HOME", dir_.string()}, {"AWS_ACCESS_KEY_ID", "ENVID"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}};
  auto location = s3::parseLocation("s3://kb-files/docs");
  std::vector<std::string> messages;
  s3::Access noProfile;
  noProfile.profile = "nope";
  messages.push_back(errorOf([&] { s3::configForAccess(location, noProfile, env); }));
  EXPECT_NE(
      messages.back().find("no S3 credentials for s3://kb-files: " + (dir_ / ".aws/credentials").string() +
                           " has no profile [nope] (named by its objects entry)"),
      std::string::npos)
      << messages.back();
  EXPECT_NE(messages.back().find("AWS_ACCESS_KEY_ID is never used for it"), std::string::npos)
      << messages.back();

  s3::Access broken;
  broken.profile = "broken";
  messages.push_back(errorOf([&] { s3::configForAccess(location, broken, env); }));
  EXPECT_NE(messages.back().find("profile [broken] in " + (dir_ / ".aws/credentials").string() +
                                 " lacks aws_access_key_id or aws_secret_access_key"),
            std::string::npos)
      << messages.back();

  s3::Access unreadable;
  unreadable.credentialsFile = (dir_ / "missing-credentials").string();
  messages.push_back(errorOf([&] { s3::configForAccess(location, unreadable, env); }));
  EXPECT_NE(messages.back().find("no S3 credentials for s3://kb-files: cannot read " +
                                 (dir_ / "missing-credentials").string() + " (its credentials file)"),
            std::string::npos)
      << messages.back();

  s3::Access badEndpoint;
  badEndpoint.endpoint = "ftp://files.example.com";
  messages.push_back(errorOf([&] { s3::configForAccess(location, badEndpoint, env); }));
  EXPECT_NE(
      messages.back().find("the objects entry for s3://kb-files, its endpoint) must start with http://"),
      std::string::npos)
      << messages.back();

  // No keys anywhere and no profile of its own: the repository's advice, naming the bucket.
  messages.push_back(errorOf([] {
    s3::configForAccess(s3::parseLocation("s3://kb-files"), {}, {{"HOME", "/nonexistent"}});
  }));
  EXPECT_NE(messages.back().find("no S3 credentials found"), std::string::npos) << messages.back();
  EXPECT_NE(
      messages.back().find("(for s3://kb-files, as the objects entry for s3://kb-files names no profile"),
      std::string::npos)
      << messages.back();
  for (const auto& message : messages) {
    EXPECT_FALSE(message.empty());
    for (const char* secret : {"ENVSECRET", "DEFAULTSECRET", "BACKUPSECRET", "ENVID", "DEFAULTID"}) {
      EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
  }
}

std::string headerOf(const s3::PreparedRequest& prepared, const std::string& name) {
  for (const auto& [header, value] : prepared.headers) {
    if (header == name) return value;
  }
  return "";
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

s3::Config addressed(const std::string& endpoint, s3::Addressing addressing) {
  s3::Config config = urlConfig(endpoint, false);
  config.addressing = addressing;
  return config;
}

TEST(S3Url, EachAddressingMode) {
  // Path: the bucket in the path, whatever the endpoint.
  auto path = s3::buildTarget(addressed("https://s3.eu-west-1.amazonaws.com", s3::Addressing::Path), "bkt",
                              "a b/c.pdf", {});
  EXPECT_EQ(path.url, "https://s3.eu-west-1.amazonaws.com/bkt/a%20b/c.pdf");
  EXPECT_EQ(path.host, "s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(path.path, "/bkt/a b/c.pdf");

  // Virtual: the bucket in the host, even a dotted name over https and against pathStyle.
  auto virtualConfig = addressed("https://s3.amazonaws.com", s3::Addressing::Virtual);
  virtualConfig.pathStyle = true;
  auto dotted = s3::buildTarget(virtualConfig, "kb.files", "docs/x", {});
  EXPECT_EQ(dotted.url, "https://kb.files.s3.amazonaws.com/docs/x");
  EXPECT_EQ(dotted.host, "kb.files.s3.amazonaws.com");
  EXPECT_EQ(dotted.path, "/docs/x");
  EXPECT_FALSE(s3::usesPathStyle(virtualConfig, "kb.files"));

  // BucketDomain: the endpoint is the bucket; no bucket in host or path, its base path kept.
  auto domain = addressed("https://files.example.com", s3::Addressing::BucketDomain);
  auto object = s3::buildTarget(domain, "kb-files", "docs/a b.pdf", {});
  EXPECT_EQ(object.url, "https://files.example.com/docs/a%20b.pdf");
  EXPECT_EQ(object.host, "files.example.com");
  EXPECT_EQ(object.path, "/docs/a b.pdf");
  auto listing = s3::buildTarget(domain, "kb-files", "", {{"list-type", "2"}});
  EXPECT_EQ(listing.url, "https://files.example.com/?list-type=2");
  EXPECT_EQ(listing.path, "/");
  EXPECT_EQ(s3::buildTarget(addressed("http://10.0.0.5:8080/kb/", s3::Addressing::BucketDomain), "kb-files",
                            "k", {})
                .url,
            "http://10.0.0.5:8080/kb/k");

  // Auto: as before, plus Aliyun OSS, which refuses path style, is always virtual-hosted.
  auto oss = urlConfig("https://oss-cn-hangzhou.aliyuncs.com", true);
  auto aliyun = s3::buildTarget(oss, "kb-files", "docs/x", {});
  EXPECT_EQ(aliyun.url, "https://kb-files.oss-cn-hangzhou.aliyuncs.com/docs/x");
  EXPECT_EQ(aliyun.host, "kb-files.oss-cn-hangzhou.aliyuncs.com");
  EXPECT_EQ(aliyun.path, "/docs/x");
  EXPECT_FALSE(s3::defaultPathStyle("https://s3.oss-cn-hangzhou.aliyuncs.com"));
  EXPECT_TRUE(
      s3::usesPathStyle(addressed("https://oss-cn-hangzhou.aliyuncs.com", s3::Addressing::Path), "b"));
  EXPECT_EQ(s3::buildTarget(urlConfig("http://127.0.0.1:4568", false), "bkt", "k", {}).path, "/bkt/k");

  // What is signed is what is sent: the bucket domain's Host and "/key" go into the signature.
  domain.credentials = {"AKID", "SECRET", ""};
  domain.region = "us-east-1";
  domain.bucket = "kb-files";
  s3::HttpCall call{"GetObject", "GET", "docs/x", {}, {}, {}, nullptr, 1 << 20};
  auto prepared = s3::prepare(domain, call, "20261204T100000Z");
  EXPECT_EQ(prepared.url, "https://files.example.com/docs/x");
  s3::sigv4::Request expected{"GET",
                              "/docs/x",
                              {},
                              {{"host", "files.example.com"},
                               {"x-amz-date", "20261204T100000Z"},
                               {"x-amz-content-sha256", std::string(s3::sigv4::kEmptySha256)}},
                              std::string(s3::sigv4::kEmptySha256)};
  s3::sigv4::Signer signer{"AKID", "SECRET", "us-east-1", "s3"};
  EXPECT_EQ(headerOf(prepared, "authorization"),
            s3::sigv4::authorization(signer, "20261204T100000Z", expected));
  EXPECT_EQ(headerOf(prepared, "host"), "files.example.com");
}

TEST(S3Metadata, BecomesSignedHeadersAndComesBackFromThem) {
  s3::ObjectMetadata metadata;
  metadata.contentType = "application/pdf";
  metadata.contentEncoding = "gzip";
  metadata.contentDisposition = "attachment; filename=\"a b.pdf\"";
  metadata.contentLanguage = "zh-CN";
  metadata.cacheControl = "max-age=60";
  metadata.user = {{"Source", "wiki"}, {"checksum-sha256", "abc"}, {"empty", ""}};
  auto headers = s3::metadataHeaders(metadata);
  const s3::sigv4::Pairs expected{{"cache-control", "max-age=60"},
                                  {"content-disposition", "attachment; filename=\"a b.pdf\""},
                                  {"content-encoding", "gzip"},
                                  {"content-language", "zh-CN"},
                                  {"content-type", "application/pdf"},
                                  {"x-amz-meta-checksum-sha256", "abc"},
                                  {"x-amz-meta-empty", ""},
                                  {"x-amz-meta-source", "wiki"}};
  EXPECT_EQ(headers, expected);
  EXPECT_TRUE(s3::metadataHeaders({}).empty());

  // Every one of them is signed (SigV4 requires it of x-amz-*; AWS and OSS check Content-Type too).
  s3::Config config = urlConfig("https://s3.eu-west-1.amazonaws.com", false);
  config.credentials = {"AKID", "SECRET", ""};
  config.region = "eu-west-1";
  config.bucket = "kb-files";
  s3::HttpCall call{"PutObject", "PUT", "docs/a.pdf", {}, headers, "body", nullptr, 1 << 20};
  std::string authorization = headerOf(s3::prepare(config, call, "20261204T100000Z"), "authorization");
  EXPECT_NE(
      authorization.find("SignedHeaders=cache-control;content-disposition;content-encoding;content-language;"
                         "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-checksum-sha256;"
                         "x-amz-meta-empty;x-amz-meta-source,"),
      std::string::npos)
      << authorization;

  // A GET's headers back into metadata: names lower-case and sorted, OSS's own prefix understood.
  auto back = s3::metadataFromHeaders({{"content-type", "application/pdf"},
                                       {"content-encoding", "gzip"},
                                       {"content-disposition", "attachment; filename=\"a b.pdf\""},
                                       {"content-language", "zh-CN"},
                                       {"cache-control", "max-age=60"},
                                       {"content-length", "4"},
                                       {"etag", "\"abc\""},
                                       {"x-amz-meta-source", "wiki"},
                                       {"x-amz-meta-empty", ""},
                                       {"x-amz-meta-checksum-sha256", "abc"},
                                       {"x-oss-meta-source", "ignored: x-amz-meta- wins"},
                                       {"x-oss-meta-owner", "kb"}});
  EXPECT_EQ(back.contentType, "application/pdf");
  EXPECT_EQ(back.cacheControl, "max-age=60");
  const std::vector<std::pair<std::string, std::string>> user{
      {"checksum-sha256", "abc"}, {"empty", ""}, {"owner", "kb"}, {"source", "wiki"}};
  EXPECT_EQ(back.user, user);

  // What cannot be sent as a header fails before anything is sent.
  s3::ObjectMetadata smuggling;
  smuggling.contentType = "text/plain\r\nx-amz-acl: public-read";
  EXPECT_NE(errorOf([&] { s3::metadataHeaders(smuggling); }).find("content-type holds a control character"),
            std::string::npos);
  s3::ObjectMetadata badName;
  badName.user = {{"has space", "x"}};
  EXPECT_NE(errorOf([&] { s3::metadataHeaders(badName); }).find("'has space' cannot be an HTTP header"),
            std::string::npos);
  s3::ObjectMetadata twice;
  twice.user = {{"Owner", "a"}, {"owner", "b"}};
  EXPECT_NE(errorOf([&] { s3::metadataHeaders(twice); }).find("names 'owner' twice"), std::string::npos);
}

TEST(S3Errors, AnArchivedObjectMustBeRestoredFirst) {
  s3::Config config = urlConfig("https://s3.eu-west-1.amazonaws.com", false);
  config.bucket = "kb-files";
  s3::HttpCall get{"GetObject", "GET", "docs/old.pdf", {}, {}, {}, nullptr, 1 << 20};
  s3::HttpResult aws;
  aws.status = 403;
  aws.body =
      "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage "
      "class</Message><StorageClass>DEEP_ARCHIVE</StorageClass><RequestId>R</RequestId></Error>";
  s3::S3Error error = s3::statusError(config, get, aws);
  EXPECT_EQ(error.code(), "InvalidObjectState");
  EXPECT_EQ(error.httpStatus(), 403);
  EXPECT_FALSE(error.retryable());
  std::string message = error.what();
  EXPECT_NE(message.find("GetObject s3://kb-files/docs/old.pdf failed: HTTP 403 InvalidObjectState"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("archive storage class (DEEP_ARCHIVE) and must be restored (thawed) first"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("permission"), std::string::npos) << message;

  // OSS: the same code, the class in a header when the body does not name it.
  s3::HttpResult oss;
  oss.status = 403;
  oss.headers = {{"x-oss-storage-class", "ColdArchive"}, {"x-amz-storage-class", "ColdArchive"}};
  oss.body =
      "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's "
      "state</Message><Key>docs/old.pdf</Key></Error>";
  message = s3::statusError(config, get, oss).what();
  EXPECT_NE(message.find("docs/old.pdf"), std::string::npos) << message;
  EXPECT_NE(message.find("(ColdArchive) and must be restored (thawed) first"), std::string::npos) << message;
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

TEST(S3Xml, ListingsTellWhenAndHowEachObjectIsStored) {
  auto page = s3::xml::parseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>kb-files</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
  <Contents><Key>a.pdf</Key><LastModified>2026-12-04T10:00:00.000Z</LastModified><ETag>"e1"</ETag>
    <Size>10</Size><StorageClass>GLACIER</StorageClass></Contents>
  <Contents><Key>b.pdf</Key><LastModified>2026-12-04T18:00:00.5+08:00</LastModified><ETag>"e2"</ETag>
    <Type>Normal</Type><Size>20</Size><StorageClass>ColdArchive</StorageClass>
    <Owner><ID>1</ID><DisplayName>1</DisplayName></Owner></Contents>
  <Contents><Key>c.pdf</Key><ETag>"e3"</ETag><Size>30</Size></Contents>
</ListBucketResult>)");
  ASSERT_EQ(page.objects.size(), 3u);
  EXPECT_EQ(page.objects[0].lastModified, "2026-12-04T10:00:00.000Z");
  EXPECT_EQ(page.objects[0].storageClass, "GLACIER");
  EXPECT_EQ(page.objects[1].lastModified, "2026-12-04T18:00:00.5+08:00");
  EXPECT_EQ(page.objects[1].storageClass, "ColdArchive");
  EXPECT_EQ(page.objects[1].size, 20u);
  EXPECT_EQ(page.objects[2].lastModified, "");
  EXPECT_EQ(page.objects[2].storageClass, "");
  EXPECT_EQ(s3::parseIsoTime(page.objects[0].lastModified), 1796378400LL * 1000000000);
  EXPECT_EQ(s3::parseIsoTime(page.objects[1].lastModified), 1796378400LL * 1000000000 + 500000000);
}

TEST(S3Xml, ParsesIsoTimes) {
  constexpr std::int64_t second = 1000000000;
  EXPECT_EQ(s3::parseIsoTime("2009-10-12T17:50:30.000Z"), 1255369830 * second);
  EXPECT_EQ(s3::parseIsoTime("2009-10-12T17:50:30Z"), 1255369830 * second);
  EXPECT_EQ(s3::parseIsoTime("2009-10-12T17:50:30.123456789Z"), 1255369830 * second + 123456789);
  EXPECT_EQ(s3::parseIsoTime("2009-10-12T17:50:30.1234567891Z"), 1255369830 * second + 123456789);
  EXPECT_EQ(s3::parseIsoTime("2024-02-29T23:59:59.001Z"), 1709251199 * second + 1000000);
  EXPECT_EQ(s3::parseIsoTime("2009-10-12T13:20:30-04:30"), 1255369830 * second);
  EXPECT_EQ(s3::parseIsoTime("2009-10-13T01:50:30+0800"), 1255369830 * second);
  EXPECT_EQ(s3::parseIsoTime("1970-01-01T00:00:01Z"), second);
  for (const char* bad :
       {"", "yesterday", "2009-10-12", "2009-10-12T17:50:30", "2009-10-12T17:50:30.Z", "2009-13-12T17:50:30Z",
        "2023-02-29T00:00:00Z", "2009-10-12T24:00:00Z", "2009-10-12T17:50:30Zjunk",
        "2009-10-12T17:50:30+25:00", "Mon, 12 Oct 2009 17:50:30 GMT"}) {
    EXPECT_EQ(s3::parseIsoTime(bad), 0) << bad;
  }
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
