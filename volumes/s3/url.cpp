#include "volumes/s3/url.hpp"

namespace volumes::s3 {

namespace {

struct Endpoint {
  std::string scheme;  // "https"
  std::string host;    // "s3.eu-west-1.amazonaws.com" or "127.0.0.1:4568"
  std::string base;    // a path the endpoint itself carries, without trailing '/', usually ""
};

Endpoint splitEndpoint(const std::string& endpoint) {
  std::size_t colon = endpoint.find("://");
  if (colon == std::string::npos) throw S3Error("S3 endpoint '" + endpoint + "' has no http:// or https://");
  Endpoint out;
  out.scheme = endpoint.substr(0, colon);
  std::string rest = endpoint.substr(colon + 3);
  std::size_t slash = rest.find('/');
  out.host = rest.substr(0, slash);
  if (slash != std::string::npos) out.base = rest.substr(slash);
  while (!out.base.empty() && out.base.back() == '/') out.base.pop_back();
  if (out.host.empty()) throw S3Error("S3 endpoint '" + endpoint + "' has no host");
  return out;
}

bool literalHost(const std::string& hostPort) {
  if (!hostPort.empty() && hostPort.front() == '[') return true;  // IPv6
  std::string host = hostPort.substr(0, hostPort.find(':'));
  return host == "localhost" || host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

bool usesPathStyle(const Config& config, const std::string& bucket) {
  switch (config.addressing) {
    case Addressing::Path:
      return true;
    case Addressing::Virtual:
    case Addressing::BucketDomain:
      return false;
    case Addressing::Auto:
      break;
  }
  Endpoint endpoint = splitEndpoint(config.endpoint);
  if (aliyunEndpoint(config.endpoint)) return false;  // OSS refuses path style
  if (config.pathStyle) return true;
  return literalHost(endpoint.host) || (endpoint.scheme == "https" && bucket.find('.') != std::string::npos);
}

Target buildTarget(const Config& config, const std::string& bucket, const std::string& key,
                   const sigv4::Pairs& query) {
  Endpoint endpoint = splitEndpoint(config.endpoint);
  Target target;
  std::string path = endpoint.base;
  if (config.addressing == Addressing::BucketDomain) {
    target.host = endpoint.host;  // the host is the bucket
    path += "/" + key;
  } else if (usesPathStyle(config, bucket)) {
    target.host = endpoint.host;
    path += "/" + bucket;
    if (!key.empty()) path += "/" + key;
  } else {
    target.host = bucket + "." + endpoint.host;
    path += "/" + key;
  }
  target.path = path;
  // The same encoding the canonical request uses, so what is sent is what was signed.
  target.url = endpoint.scheme + "://" + target.host + sigv4::canonicalUri(path, false);
  std::string queryString = sigv4::canonicalQuery(query);
  if (!queryString.empty()) target.url += "?" + queryString;
  return target;
}

}  // namespace volumes::s3
