#pragma once
// The S3Dedup tests' fixture: a bucket on s3rver with its request log read back and tallied (what a
// command asked of the store, the packs and the part), and the store's objects as the tests look at
// them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_support.hpp"
#include "restore_stack.hpp"
#include "s3_fixture.hpp"
#include "volumes/s3/client.hpp"

namespace s3dedup {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kMiB = 1 << 20;
inline const std::string kVolumePart = "volume-app_data.tar.zst";

// One line of s3rver's request log, percent-decoded: the object path (/BUCKET/KEY) and the query.
struct Request {
  std::string method, path, query, line;
  bool write() const { return method == "PUT" || method == "POST" || method == "DELETE"; }
  bool read() const { return method == "GET" || method == "HEAD"; }
  bool onPack() const { return path.find("/.chunks/packs/") != std::string::npos; }
  bool onIndex() const { return path.find("/.chunks/index/") != std::string::npos; }
  // An object of the store, or a listing of it (its prefix is in the query).
  bool onStore() const { return (path + "?" + query).find(".chunks/") != std::string::npos; }
  bool onVolumePart() const { return path.find(kVolumePart) != std::string::npos; }
};

inline std::string percentDecoded(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

inline std::vector<Request> parsed(const std::vector<std::string>& lines) {
  std::vector<Request> out;
  for (const auto& line : lines) {
    Request r;
    r.line = line;
    auto space = line.find(' ');
    r.method = line.substr(0, space);
    std::string target = space == std::string::npos ? "" : line.substr(space + 1);
    auto question = target.find('?');
    r.path = percentDecoded(target.substr(0, question));
    if (question != std::string::npos) r.query = percentDecoded(target.substr(question + 1));
    out.push_back(std::move(r));
  }
  return out;
}

struct Tally {
  std::size_t total = 0, packReads = 0, packWrites = 0, indexReads = 0, indexWrites = 0, store = 0,
              volumePart = 0;
  std::string lines;  // every request, for a failure message
};

inline Tally tally(const std::vector<Request>& requests) {
  Tally t;
  for (const auto& r : requests) {
    ++t.total;
    if (r.onPack() && r.write()) ++t.packWrites;
    if (r.onPack() && r.read()) ++t.packReads;
    if (r.onIndex() && r.write()) ++t.indexWrites;
    if (r.onIndex() && r.read()) ++t.indexReads;
    if (r.onStore() || r.onVolumePart()) ++t.store;
    if (r.onVolumePart()) ++t.volumePart;
    t.lines += "  " + r.line + "\n";
  }
  return t;
}

// The counts, and with `lines` every request (what a reader of the log wants for a backup).
inline void print(const std::string& what, const Tally& t, bool lines = false) {
  std::cout << what << ": " << t.total << " S3 requests; packs " << t.packReads << " GET/HEAD, "
            << t.packWrites << " PUT/POST/DELETE; index " << t.indexReads << " GET/HEAD, " << t.indexWrites
            << " PUT/POST/DELETE; .chunks/ or " << kVolumePart << ": " << t.store << " (the part itself "
            << t.volumePart << ")\n"
            << (lines ? t.lines : "");
}

class S3Dedup : public e2e::BucketTest {
 protected:
  S3Dedup() : BucketTest(/*logRequests=*/true) {}
  static std::string url(const std::string& prefix) {
    return std::string("s3://") + e2e::S3rver::kBucket + "/" + prefix;
  }
  // The plugin on the stack with --repo s3://BUCKET/PREFIX.
  e2e::ProcessResult s3(const e2e::RestoreStack& stack, std::vector<std::string> args,
                        const std::string& prefix = "dedup") const {
    return stack.pluginOn(url(prefix), std::move(args), s3Env());
  }
  // The same, with the requests it made to the bucket.
  e2e::ProcessResult s3Counted(const e2e::RestoreStack& stack, std::vector<std::string> args,
                               std::vector<Request>& requests) const {
    std::size_t mark = server_.requests().size();
    auto result = s3(stack, std::move(args));
    requests = parsed(server_.requests(mark));
    return result;
  }
  volumes::s3::Client client() const { return volumes::s3::Client(server_.config()); }
  std::vector<volumes::s3::ObjectInfo> objects(const std::string& prefix) const {
    return client().listObjects(prefix);
  }
  bool exists(const std::string& key) const { return client().headObject(key).has_value(); }
  json manifest(const std::string& prefix, const std::string& project, const std::string& id) const {
    auto text = client().getSmallObject(prefix + "/" + project + "/" + id + "/manifest.json", 16 * kMiB);
    if (!text) {
      ADD_FAILURE() << "no manifest.json for " << prefix << "/" << project << "/" << id;
      return json::object();
    }
    return json::parse(*text);
  }

  // The store under dedup/.chunks/: pack name -> size, and the packs that have an index object.
  struct Store {
    std::map<std::string, std::uint64_t> packs;
    std::set<std::string> indexed;
    std::vector<std::string> strays;  // keys of neither shape
    std::uint64_t packBytes() const {
      std::uint64_t sum = 0;
      for (const auto& [name, size] : packs) sum += size;
      return sum;
    }
  };
  Store store() const {
    static const std::regex packKey(R"(dedup/\.chunks/packs/([0-9a-f]{2})/([0-9a-f]{64}))");
    static const std::regex indexKey(R"(dedup/\.chunks/index/([0-9a-f]{64})\.tsv)");
    Store s;
    std::smatch m;
    for (const auto& o : objects("dedup/.chunks/packs/")) {
      if (std::regex_match(o.key, m, packKey) && m[2].str().rfind(m[1].str(), 0) == 0)
        s.packs[m[2].str()] = o.size;
      else
        s.strays.push_back(o.key);
    }
    for (const auto& o : objects("dedup/.chunks/index/")) {
      if (std::regex_match(o.key, m, indexKey))
        s.indexed.insert(m[1].str());
      else
        s.strays.push_back(o.key);
    }
    return s;
  }
  // Every pack has its index object and every index object its pack.
  void expectOneIndexPerPack(const Store& s) const {
    std::set<std::string> packs;
    for (const auto& [name, size] : s.packs) packs.insert(name);
    EXPECT_EQ(packs, s.indexed) << "packs without an index object, or index objects without a pack";
    EXPECT_THAT(s.strays, ::testing::IsEmpty())
        << "objects under .chunks/packs or .chunks/index of no known shape";
  }
  // Every part of the backup is a chunk list (PART.chunks), none a whole object.
  void expectChunkedParts(const std::string& prefix, const std::string& project,
                          const std::string& id) const {
    json m = manifest(prefix, project, id);
    ASSERT_TRUE(m.contains("parts")) << m.dump();
    EXPECT_FALSE(m["parts"].empty());
    for (const auto& part : m["parts"]) {
      std::string name = part["name"];
      std::string key = prefix + "/" + project + "/" + id + "/" + name;
      EXPECT_EQ(part.value("storage", ""), "chunks") << part.dump();
      EXPECT_TRUE(exists(key + ".chunks")) << key << ".chunks is missing";
      EXPECT_FALSE(exists(key)) << key << " is stored whole beside its chunk list";
    }
  }
};

}  // namespace s3dedup
