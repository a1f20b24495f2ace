#include "volumes/s3/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>

#include "base/sha256.hpp"

namespace volumes::s3::sigv4 {

namespace {

bool unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims the ends and collapses inner runs of whitespace to one space, as SigV4 requires.
std::string trimValue(std::string_view value) {
  std::string out;
  bool pendingSpace = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    out.push_back(c);
  }
  return out;
}

// Header names sorted, values in the order given: repeats are joined, not reordered.
std::map<std::string, std::string> headerMap(const Pairs& headers) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : headers) {
    std::string key = lower(trimValue(name));
    auto [it, inserted] = out.emplace(key, trimValue(value));
    if (!inserted) it->second += "," + trimValue(value);
  }
  return out;
}

}  // namespace

std::string uriEncode(std::string_view text, bool keepSlash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keepSlash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

std::string normalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  // A trailing slash names a directory-like resource and is kept; "/." and "/.." end as files.
  bool trailing = path.size() > 1 && path.back() == '/' && !segments.empty();
  if (out.empty() || trailing) out += '/';
  return out;
}

std::string canonicalUri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  return uriEncode(normalize ? normalizePath(path) : std::string(path), true);
}

std::string canonicalQuery(const Pairs& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(uriEncode(name, false), uriEncode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string canonicalHeaders(const Pairs& headers) {
  std::string out;
  for (const auto& [name, value] : headerMap(headers)) out += name + ":" + value + "\n";
  return out;
}

std::string signedHeaders(const Pairs& headers) {
  std::string out;
  for (const auto& entry : headerMap(headers)) {
    if (!out.empty()) out += ';';
    out += entry.first;
  }
  return out;
}

std::string canonicalRequest(const Request& request, bool normalize) {
  return request.method + "\n" + canonicalUri(request.path, normalize) + "\n" +
         canonicalQuery(request.query) + "\n" + canonicalHeaders(request.headers) + "\n" +
         signedHeaders(request.headers) + "\n" + request.payloadHash;
}

std::string credentialScope(std::string_view date, std::string_view region, std::string_view service) {
  return std::string(date.substr(0, 8)) + "/" + std::string(region) + "/" + std::string(service) +
         "/aws4_request";
}

std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonicalRequest) {
  return std::string(kAlgorithm) + "\n" + std::string(amzDate) + "\n" + std::string(scope) + "\n" +
         base::sha256Hex(canonicalRequest);
}

std::string signingKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service) {
  std::string key = hmacSha256("AWS4" + std::string(secret), date.substr(0, 8));
  key = hmacSha256(key, region);
  key = hmacSha256(key, service);
  return hmacSha256(key, "aws4_request");
}

std::string signature(const Signer& signer, std::string_view amzDate, std::string_view canonicalRequest) {
  std::string scope = credentialScope(amzDate, signer.region, signer.service);
  std::string key = signingKey(signer.secretAccessKey, amzDate, signer.region, signer.service);
  return hexEncode(hmacSha256(key, stringToSign(amzDate, scope, canonicalRequest)));
}

std::string authorization(const Signer& signer, std::string_view amzDate, const Request& request,
                          bool normalize) {
  std::string scope = credentialScope(amzDate, signer.region, signer.service);
  return std::string(kAlgorithm) + " Credential=" + signer.accessKeyId + "/" + scope +
         ", SignedHeaders=" + signedHeaders(request.headers) +
         ", Signature=" + signature(signer, amzDate, canonicalRequest(request, normalize));
}

std::string amzDate(long long epochSeconds) {
  std::time_t t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[20];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

}  // namespace volumes::s3::sigv4
