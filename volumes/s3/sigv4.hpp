#pragma once
// AWS Signature Version 4 as pure functions, so every step can be checked against AWS's published
// test vectors without a network. The S3 client builds a Request, signs it, and sends exactly that.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/sha256.hpp"

namespace volumes::s3::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;       // GET, PUT, ...
  std::string path;         // decoded ("/bucket/a b/ሴ"); encoded here exactly once
  Pairs query;              // decoded names and values, any order; a bare flag is {"uploads", ""}
  Pairs headers;            // as sent: every one is signed (host and x-amz-date included)
  std::string payloadHash;  // hex sha256 of the body, or kUnsignedPayload
};

struct Signer {
  std::string accessKeyId;
  std::string secretAccessKey;  // SECRET: never logged
  std::string region;
  std::string service;  // "s3"
};

// RFC 3986 unreserved characters stay, everything else becomes %XX (uppercase); '/' stays when
// keepSlash, as S3 object keys need in a path.
std::string uriEncode(std::string_view text, bool keepSlash);
// Removes "." and ".." segments and repeated slashes (services other than S3 sign this form).
std::string normalizePath(std::string_view path);
// The canonical URI: the path encoded once (S3's rule); normalised first when asked.
std::string canonicalUri(std::string_view path, bool normalize);
std::string canonicalQuery(const Pairs& query);
// "name:value\n" per header, lower-cased, trimmed, inner runs of spaces collapsed, repeats joined by ','.
std::string canonicalHeaders(const Pairs& headers);
std::string signedHeaders(const Pairs& headers);
std::string canonicalRequest(const Request& request, bool normalize = false);

std::string credentialScope(std::string_view date, std::string_view region, std::string_view service);
// amzDate is YYYYMMDDTHHMMSSZ; the scope takes its first eight characters.
std::string stringToSign(std::string_view amzDate, std::string_view scope, std::string_view canonicalRequest);
// The raw 32-byte HMAC key for one day, region and service.
std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
std::string signature(const Signer& signer, std::string_view amzDate, std::string_view canonicalRequest);
// The full Authorization header value for a request whose headers already hold host and x-amz-date.
std::string authorization(const Signer& signer, std::string_view amzDate, const Request& request,
                          bool normalize = false);

using base::hexEncode;
using base::hmacSha256;
// "20150830T123600Z" for a time in seconds since the epoch.
std::string amzDate(long long epochSeconds);

}  // namespace volumes::s3::sigv4
