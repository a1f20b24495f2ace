#include "volumes/s3/xml.hpp"

#include <charconv>
#include <chrono>

#include "volumes/s3/s3_error.hpp"

namespace volumes::s3 {

namespace {

// The number in text[pos, pos+digits) when every character is a digit.
std::optional<int> digitsAt(const std::string& text, std::size_t pos, std::size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::int64_t parseIsoTime(const std::string& text) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS, at fixed places.
  auto year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 2), day = digitsAt(text, 8, 2);
  auto hour = digitsAt(text, 11, 2), minute = digitsAt(text, 14, 2), second = digitsAt(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return 0;
  }
  year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                      std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return 0;
  std::size_t pos = 19;
  std::int64_t fraction = 0;  // nanoseconds
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    std::int64_t scale = 100000000;
    std::size_t first = ++pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, scale /= 10) {
      fraction += (text[pos] - '0') * scale;  // digits beyond nanoseconds add 0
    }
    if (pos == first) return 0;
  }
  seconds offset{0};  // local time minus UTC
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    bool colon = pos + 3 < text.size() && text[pos + 3] == ':';
    auto offsetHours = digitsAt(text, pos + 1, 2), offsetMinutes = digitsAt(text, pos + (colon ? 4 : 3), 2);
    if (!offsetHours || !offsetMinutes || *offsetHours > 23 || *offsetMinutes > 59) return 0;
    offset = hours{*offsetHours} + minutes{*offsetMinutes};
    if (text[pos] == '-') offset = -offset;
    pos += colon ? 6 : 5;
  } else {
    return 0;  // no zone: which time it means is unknown
  }
  if (pos != text.size()) return 0;
  auto utc = sys_days{date} + hours{*hour} + minutes{*minute} + seconds{*second} - offset;
  return duration_cast<nanoseconds>(utc.time_since_epoch()).count() + fraction;
}

namespace xml {

namespace {

// Whether `document[pos]` starts the open tag <tag> / <tag …> / <tag/> (not <tagLonger>).
bool opensTag(std::string_view document, std::size_t pos, std::string_view tag) {
  std::size_t after = pos + 1 + tag.size();
  if (document.compare(pos + 1, tag.size(), tag) != 0 || after >= document.size()) return false;
  char c = document[after];
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::uint64_t toUnsigned(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw S3Error("S3 answered with a malformed number '" + text + "' in a listing");
  }
  return value;
}

}  // namespace

std::vector<std::string_view> elements(std::string_view document, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string closing = "</" + std::string(tag) + ">";
  std::size_t pos = 0;
  while ((pos = document.find('<', pos)) != std::string_view::npos) {
    if (!opensTag(document, pos, tag)) {
      ++pos;
      continue;
    }
    std::size_t close = document.find('>', pos);
    if (close == std::string_view::npos) break;
    if (document[close - 1] == '/') {
      out.emplace_back();
      pos = close + 1;
      continue;
    }
    std::size_t end = document.find(closing, close + 1);
    if (end == std::string_view::npos) break;
    out.push_back(document.substr(close + 1, end - close - 1));
    pos = end + closing.size();
  }
  return out;
}

std::optional<std::string> text(std::string_view document, std::string_view tag) {
  auto found = elements(document, tag);
  if (found.empty()) return std::nullopt;
  return unescape(found.front());
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp")
      out.push_back('&');
    else if (entity == "lt")
      out.push_back('<');
    else if (entity == "gt")
      out.push_back('>');
    else if (entity == "quot")
      out.push_back('"');
    else if (entity == "apos")
      out.push_back('\'');
    else if (!entity.empty() && entity[0] == '#') {
      // Numeric references: S3 uses them for control characters in keys; encode as UTF-8.
      unsigned long code = 0;
      bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
      std::string_view digits = entity.substr(hex ? 2 : 1);
      auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (error != std::errc() || end != digits.data() + digits.size() || code > 0x10FFFF) {
        out.append(text.substr(i, semi - i + 1));
      } else if (code < 0x80) {
        out.push_back(static_cast<char>(code));
      } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
      }
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string stripQuotes(std::string_view etag) {
  std::string out;
  for (char c : etag) {
    if (c != '"') out.push_back(c);
  }
  return out;
}

ListPage parseListObjectsV2(std::string_view document) {
  if (document.find("<ListBucketResult") == std::string_view::npos) {
    throw S3Error("S3 answered a listing with something that is not a ListBucketResult");
  }
  ListPage page;
  for (std::string_view contents : elements(document, "Contents")) {
    ObjectInfo info;
    info.key = text(contents, "Key").value_or("");
    info.size = toUnsigned(text(contents, "Size").value_or("0"));
    info.etag = stripQuotes(text(contents, "ETag").value_or(""));
    info.lastModified = text(contents, "LastModified").value_or("");
    info.storageClass = text(contents, "StorageClass").value_or("");
    page.objects.push_back(std::move(info));
  }
  page.truncated = text(document, "IsTruncated").value_or("false") == "true";
  page.nextContinuationToken = text(document, "NextContinuationToken").value_or("");
  return page;
}

UploadsPage parseListMultipartUploads(std::string_view document) {
  if (document.find("<ListMultipartUploadsResult") == std::string_view::npos) {
    throw S3Error("S3 answered ListMultipartUploads with something that is not a ListMultipartUploadsResult");
  }
  UploadsPage page;
  for (std::string_view upload : elements(document, "Upload")) {
    page.uploads.push_back({text(upload, "Key").value_or(""), text(upload, "UploadId").value_or("")});
  }
  page.truncated = text(document, "IsTruncated").value_or("false") == "true";
  page.nextKeyMarker = text(document, "NextKeyMarker").value_or("");
  page.nextUploadIdMarker = text(document, "NextUploadIdMarker").value_or("");
  return page;
}

std::string parseUploadId(std::string_view document) {
  std::string id = text(document, "UploadId").value_or("");
  if (id.empty()) throw S3Error("S3 answered InitiateMultipartUpload without an UploadId");
  return id;
}

std::optional<ErrorBody> parseError(std::string_view document) {
  auto error = elements(document, "Error");
  if (error.empty()) return std::nullopt;
  return ErrorBody{text(error.front(), "Code").value_or(""), text(error.front(), "Message").value_or("")};
}

std::string completeMultipartBody(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" + escape(etags[i]) +
           "\"</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace xml
}  // namespace volumes::s3
