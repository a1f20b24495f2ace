#pragma once
// Where one S3 request goes: the URL curl opens, the Host header it sends, and the decoded path the
// signature covers. Built in one place so the signed path and the sent path cannot drift apart.
#include <string>

#include "volumes/s3/config.hpp"
#include "volumes/s3/sigv4.hpp"

namespace volumes::s3 {

struct Target {
  std::string url;   // scheme://host[:port]/path?query, path and query encoded once
  std::string host;  // the Host header: host[:port], bucket-prefixed in virtual-hosted style
  std::string path;  // decoded, for the signer: "/bucket/key" or "/key" (virtual-hosted, bucket domain)
};

// An empty key addresses the bucket itself (listings, bucket-level queries).
Target buildTarget(const Config& config, const std::string& bucket, const std::string& key,
                   const sigv4::Pairs& query);

// config.addressing decides, when not Auto. Auto: an Aliyun OSS endpoint (*.aliyuncs.com) is always
// virtual-hosted, as OSS refuses path style; else config.pathStyle, and path style is forced for an
// IP or localhost endpoint and for bucket names with dots over https (a dotted name breaks the
// wildcard certificate of virtual-hosted style). BucketDomain is neither: buildTarget puts no bucket
// in host or path.
bool usesPathStyle(const Config& config, const std::string& bucket);

}  // namespace volumes::s3
