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

struct Config {
  std::string endpoint;    // "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:4568"
  std::string region;      // us-east-1 when empty
  bool pathStyle = false;  // endpoint/bucket/key instead of bucket.endpoint/key (always for an IP endpoint)
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

// Path style unless the endpoint is AWS's own: IPs, ports and other hosts rarely do virtual hosts.
bool defaultPathStyle(const std::string& endpoint);

// The [section] -> key -> value of an AWS-style INI file (credentials or config); empty if absent.
std::map<std::string, std::map<std::string, std::string>> parseIniFile(const std::string& text);

}  // namespace volumes::s3
