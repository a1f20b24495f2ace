#pragma once
// Where the S3 repository lives and how to reach it: the s3:// location, and the endpoint, region
// and credentials read from the environment the way the AWS CLI reads them.
#include <chrono>
#include <cstddef>
#include <map>
#include <string>

#include "volumes/s3/s3_error.hpp"

namespace volumes::s3 {

struct Credentials {  // SECRET-BEARING: never log
  std::string accessKeyId, secretAccessKey, sessionToken;
};

struct Location {
  std::string bucket, prefix;  // prefix has no leading or trailing '/'; may be empty
};

// "s3://bucket/some/prefix"; throws S3Error naming what is wrong.
Location parseLocation(const std::string& url);

// How a request names the bucket.
enum class Addressing {
  Auto,          // pathStyle and usesPathStyle decide (url.hpp); an *.aliyuncs.com endpoint is Virtual
  Path,          // endpoint/bucket/key
  Virtual,       // bucket.endpointhost/key, even for a dotted bucket name
  BucketDomain,  // the endpoint is the bucket's own (custom) domain: endpoint/key, signed path "/key"
};

struct Config {
  std::string endpoint;    // "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:4568"
  std::string region;      // us-east-1 when empty
  bool pathStyle = false;  // endpoint/bucket/key instead of bucket.endpoint/key (always for an IP endpoint)
  Addressing addressing = Addressing::Auto;  // anything but Auto overrides pathStyle
  Credentials credentials;
  std::string bucket;                 // every Client call works inside this bucket; keys are full object keys
  std::size_t partSize = 16 << 20;    // multipart part size, and the most an Upload buffers
  std::size_t minPartSize = 5 << 20;  // S3's own minimum; tests against a local server lower it
  int retries = 4;                    // per request or part, after the first try
  std::chrono::milliseconds retryBaseDelay{200};  // doubled per try, with jitter
};

// From the environment as the AWS CLI reads it: AWS_ENDPOINT_URL_S3 then AWS_ENDPOINT_URL,
// AWS_REGION then AWS_DEFAULT_REGION then the config file's region, AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, profile AWS_PROFILE or "default"), and
// AWS_S3_FORCE_PATH_STYLE / AGENTCHAT_S3_PATH_STYLE. Missing credentials: S3Error saying what to set.
Config configFromEnvironment(const std::map<std::string, std::string>& env);

struct Access {  // one object source's own settings (x-agentchat objects entry); empty = as for a repository
  std::string endpoint, region, profile, credentialsFile;
  Addressing addressing = Addressing::Auto;
};

// For a bucket that is not the repository: the entry's endpoint/region first, then the environment
// as configFromEnvironment reads it. With a profile or a credentials file, the keys come from that
// file's [profile] section (profile default "default"; file default AWS_SHARED_CREDENTIALS_FILE or
// ~/.aws/credentials) and never from AWS_ACCESS_KEY_ID (the repository's keys may be in the
// environment in the same run). Throws S3Error naming the entry's missing piece, never a secret.
// Also: an entry endpoint without a scheme is https://; an entry endpoint on aliyuncs.com without an
// entry region signs for the OSS region its host names (oss-cn-hangzhou… -> cn-hangzhou); the path
// style variables (AWS_S3_FORCE_PATH_STYLE, AGENTCHAT_S3_PATH_STYLE) count only for the
// environment's endpoint; "~/" in the credentials file is $HOME.
Config configForAccess(const Location& location, const Access& access,
                       const std::map<std::string, std::string>& env);

// Path style unless the endpoint is AWS's own or Aliyun OSS (which refuses path style): IPs, ports
// and other hosts rarely do virtual hosts.
bool defaultPathStyle(const std::string& endpoint);
// Whether the endpoint is Aliyun OSS (a host ending in aliyuncs.com).
bool aliyunEndpoint(const std::string& endpoint);

// The [section] -> key -> value of an AWS-style INI file (credentials or config); empty if absent.
std::map<std::string, std::map<std::string, std::string>> parseIniFile(const std::string& text);

}  // namespace volumes::s3
