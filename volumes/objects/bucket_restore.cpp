#include "volumes/objects/bucket_restore.hpp"

#include <map>
#include <memory>
#include <set>

#include "base/tar_walker.hpp"

namespace volumes::objects {

namespace {

struct Listed {
  std::uint64_t size = 0;
  std::string etag;
};

}  // namespace

RestoreCounts restoreBucket(s3::Client& client, const base::ChunkSource& part, ObjectCatalogReader* catalog,
                            const BucketRestoreOptions& options) {
  // What the bucket holds now, by key below the prefix.
  std::map<std::string, Listed> there;
  client.listObjects(options.prefix, [&](std::vector<s3::ObjectInfo>& page) {
    for (auto& info : page) there[info.key.substr(options.prefix.size())] = {info.size, info.etag};
  });
  RestoreCounts counts;
  std::set<std::string> inBackup;
  // The entry being read: buffered when small, else streamed into a multipart upload.
  std::optional<StoredObject> current;
  bool skip = false;
  std::string body;
  std::unique_ptr<s3::Client::Upload> upload;
  auto finish = [&] {
    if (!current || skip || options.dryRun) return;
    std::string key = options.prefix + current->key;
    if (upload) {
      upload->complete();
      upload.reset();
    } else {
      client.putObject(key, body, current->metadata);
    }
    body.clear();
  };
  base::TarWalker walker(
      [&](const base::TarEntry& entry) {
        finish();
        current = objectOfEntry(entry);
        ++counts.objects;
        counts.bytes += current->size;
        inBackup.insert(current->key);
        std::string md5;
        if (catalog) {
          if (const auto* known = catalog->find(current->key)) md5 = known->md5;
        }
        auto it = there.find(current->key);
        skip = it != there.end() && it->second.size == current->size &&
               (sameEtag(it->second.etag, current->etag) || sameEtag(it->second.etag, md5));
        if (skip) {
          ++counts.kept;
          return false;
        }
        ++counts.put;
        counts.putBytes += current->size;
        if (it == there.end() && options.created && !options.dryRun) options.created(current->key);
        if (!options.dryRun && current->size > options.singlePutUpTo)
          upload = client.startUpload(options.prefix + current->key, current->metadata);
        return !options.dryRun;
      },
      [&](std::string_view bytes) {
        if (upload) {
          upload->write(bytes);
        } else {
          body.append(bytes);
        }
      });
  char buffer[256 * 1024];
  for (;;) {
    std::size_t n = part(buffer, sizeof buffer);
    if (n == 0) break;
    walker.feed(std::string_view(buffer, n));
  }
  walker.finish();
  walker.requireEnd();
  finish();
  for (const auto& [key, listed] : there) {
    if (inBackup.count(key)) continue;
    if (!options.deleteUnlessInBackup.count(key)) {
      ++counts.others;
      continue;
    }
    ++counts.deleted;
    if (!options.dryRun) client.deleteObject(options.prefix + key);
  }
  return counts;
}

}  // namespace volumes::objects
