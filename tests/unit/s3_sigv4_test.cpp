// The SigV4 signer against AWS's published Signature Version 4 test suite (tests/data/sigv4, copied
// with its NOTICE) and against the worked S3 examples of the S3 API reference.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/sha256.hpp"
#include "volumes/s3/sigv4.hpp"
#include "volumes/s3/transport.hpp"

namespace sigv4 = volumes::s3::sigv4;

namespace {

const std::string kSuiteDir = std::string(AGENTCHAT_TEST_DATA) + "/sigv4";
const sigv4::Signer kSuiteSigner{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
                                 "service"};
const std::string kSuiteDate = "20150830T123600Z";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The suite's .req file: "METHOD URI HTTP/1.1", headers (a line starting with a space continues
// the previous header as another value), an empty line, the body.
sigv4::Request parseRaw(const std::string& raw) {
  sigv4::Request request;
  std::istringstream in(raw);
  std::string line;
  std::getline(in, line);
  std::size_t firstSpace = line.find(' ');
  std::size_t lastSpace = line.rfind(' ');
  request.method = line.substr(0, firstSpace);
  std::string uri = line.substr(firstSpace + 1, lastSpace - firstSpace - 1);
  std::size_t question = uri.find('?');
  request.path = uri.substr(0, question);
  if (question != std::string::npos) {
    std::istringstream query(uri.substr(question + 1));
    for (std::string pair; std::getline(query, pair, '&');) {
      std::size_t eq = pair.find('=');
      request.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    }
  }
  std::string body;
  bool inBody = false;
  while (std::getline(in, line)) {
    if (inBody) {
      body += (body.empty() ? "" : "\n") + line;
    } else if (line.empty()) {
      inBody = true;
    } else if (line[0] == ' ' || line[0] == '\t') {
      request.headers.emplace_back(request.headers.back().first, line);
    } else {
      std::size_t colon = line.find(':');
      request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  request.payloadHash = base::sha256Hex(body);
  return request;
}

class SigV4Suite : public testing::TestWithParam<std::string> {};

TEST_P(SigV4Suite, CanonicalRequestStringToSignAndAuthorizationMatch) {
  const std::string base = kSuiteDir + "/" + GetParam() + "/" + GetParam();
  sigv4::Request request = parseRaw(slurp(base + ".req"));
  // The generic suite normalises paths; S3 itself never does (see the S3 tests below).
  std::string creq = sigv4::canonicalRequest(request, true);
  EXPECT_EQ(creq, slurp(base + ".creq"));
  // In these two the published .sts and .authz do not hash their own .creq (they were made from a
  // request without content-length), so only the canonical request can be checked.
  if (GetParam().rfind("post-x-www-form-urlencoded", 0) == 0) return;
  std::string scope = sigv4::credentialScope(kSuiteDate, "us-east-1", "service");
  EXPECT_EQ(sigv4::stringToSign(kSuiteDate, scope, creq), slurp(base + ".sts"));
  EXPECT_EQ(sigv4::authorization(kSuiteSigner, kSuiteDate, request, true), slurp(base + ".authz"));
}

INSTANTIATE_TEST_SUITE_P(
    AwsTestSuite, SigV4Suite,
    testing::Values("get-header-key-duplicate", "get-header-value-multiline", "get-header-value-order",
                    "get-header-value-trim", "get-unreserved", "get-utf8", "get-vanilla",
                    "get-vanilla-empty-query-key", "get-vanilla-query", "get-vanilla-query-order-key",
                    "get-vanilla-query-order-key-case", "get-vanilla-query-order-value",
                    "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-relative",
                    "get-relative-relative", "get-slash", "get-slash-dot-slash", "get-slash-pointless-dot",
                    "get-slashes", "get-space", "post-header-key-case", "post-header-key-sort",
                    "post-header-value-case", "post-sts-header-after", "post-sts-header-before",
                    "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
                    "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"),
    [](const testing::TestParamInfo<std::string>& info) {
      std::string name = info.param;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

TEST(SigV4, SigningKeyMatchesTheDocumentedDerivation) {
  // AWS's "derive a signing key" example: secret, 20150830, us-east-1, iam.
  EXPECT_EQ(sigv4::hexEncode(sigv4::signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830",
                                               "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, EncodesOnceAndKeepsSlashesForS3) {
  EXPECT_EQ(sigv4::uriEncode("a b+c/ሴ~._-", true), "a%20b%2Bc/%E1%88%B4~._-");
  EXPECT_EQ(sigv4::uriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(sigv4::canonicalUri("/bucket/dir/../x y", false), "/bucket/dir/../x%20y");  // no normalising
  EXPECT_EQ(sigv4::canonicalUri("/bucket/a%20b", false), "/bucket/a%2520b");            // a literal '%'
  EXPECT_EQ(sigv4::amzDate(1440938160), "20150830T123600Z");
}

// The S3 API reference's worked examples: examplebucket, us-east-1, 20130524T000000Z.
const std::string kS3Date = "20130524T000000Z";

volumes::s3::Config s3ExampleConfig() {
  volumes::s3::Config config;
  config.endpoint = "https://s3.amazonaws.com";
  config.region = "us-east-1";
  config.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  config.bucket = "examplebucket";
  return config;
}

std::string headerValue(const sigv4::Pairs& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

std::string signatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4S3, GetObjectWithRangeMatchesTheS3Reference) {
  volumes::s3::HttpCall call{"GetObject", "GET", "test.txt", {}, {{"range", "bytes=0-9"}}, {}, nullptr, 0};
  auto prepared = volumes::s3::prepare(s3ExampleConfig(), call, kS3Date);
  EXPECT_EQ(prepared.url, "https://examplebucket.s3.amazonaws.com/test.txt");
  std::string authorization = headerValue(prepared.headers, "authorization");
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3, PutObjectWithAnEncodedKeyMatchesTheS3Reference) {
  volumes::s3::HttpCall call{
      "PutObject",
      "PUT",
      "test$file.text",
      {},
      {{"date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
      "Welcome to Amazon S3.",
      nullptr,
      0};
  auto prepared = volumes::s3::prepare(s3ExampleConfig(), call, kS3Date);
  EXPECT_EQ(prepared.url, "https://examplebucket.s3.amazonaws.com/test%24file.text");
  EXPECT_EQ(headerValue(prepared.headers, "x-amz-content-sha256"),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(signatureOf(headerValue(prepared.headers, "authorization")),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3, BucketQueriesMatchTheS3Reference) {
  volumes::s3::HttpCall lifecycle{"GetBucketLifecycle", "GET", "", {{"lifecycle", ""}}, {}, {}, nullptr, 0};
  EXPECT_EQ(signatureOf(headerValue(volumes::s3::prepare(s3ExampleConfig(), lifecycle, kS3Date).headers,
                                    "authorization")),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  volumes::s3::HttpCall list{"ListObjects", "GET", "", {{"max-keys", "2"}, {"prefix", "J"}}, {}, {},
                             nullptr,       0};
  auto prepared = volumes::s3::prepare(s3ExampleConfig(), list, kS3Date);
  EXPECT_EQ(prepared.url, "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J");
  EXPECT_EQ(signatureOf(headerValue(prepared.headers, "authorization")),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3, SessionTokenIsSentAndSigned) {
  auto config = s3ExampleConfig();
  config.credentials.sessionToken = "FQoGZXIvYXdzEXAMPLE//token+/=";
  volumes::s3::HttpCall call{"GetObject", "GET", "test.txt", {}, {}, {}, nullptr, 0};
  auto prepared = volumes::s3::prepare(config, call, kS3Date);
  EXPECT_EQ(headerValue(prepared.headers, "x-amz-security-token"), config.credentials.sessionToken);
  EXPECT_NE(headerValue(prepared.headers, "authorization")
                .find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  // The secret never appears in what is sent.
  for (const auto& [name, value] : prepared.headers) {
    EXPECT_EQ(value.find(config.credentials.secretAccessKey), std::string::npos) << name;
  }
}

}  // namespace
