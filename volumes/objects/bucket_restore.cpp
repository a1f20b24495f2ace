#include "volumes/objects/bucket_restore.hpp"

#include <memory>
#include <optional>

#include "base/tar_walker.hpp"

namespace volumes::objects {

RestoreCounts restoreBucket(s3::Client& client, const base::ChunkSource& part, ObjectCatalogReader* catalog,
                            const BucketRestoreOptions& options) {
  // What the bucket holds now is walked side by side with the backup's entries: both come in key
  // order (the part was written in the source bucket's listing order), so neither is held whole.
  s3::Client::Listing there(client, options.prefix);
  std::string lastListed, lastEntry;
  RestoreCounts counts;
  auto listedKey = [&]() -> const std::string* {
    const s3::ObjectInfo* info = there.peek();
    if (!info) return nullptr;
    if (!lastListed.empty() && info->key <= lastListed)
      throw ObjectsError("the bucket listed " + info->key + " after " + lastListed +
                         ", out of key order: this store cannot be restored into side by side with the "
                         "backup (restore into an S3-compatible store that lists keys sorted)");
    return &info->key;
  };
  // An object the bucket holds that the backup has not: left alone, unless a rollback names it.
  std::optional<CreatedKeys::Cursor> createdByFailed;
  if (options.deleteUnlessInBackup) createdByFailed.emplace(*options.deleteUnlessInBackup);
  auto notInBackup = [&](const std::string& key) {
    std::string relative = key.substr(options.prefix.size());
    if (!createdByFailed || !createdByFailed->contains(relative)) {
      ++counts.others;
    } else {
      ++counts.deleted;
      if (!options.dryRun) client.deleteObject(key);
    }
    lastListed = key;
    there.pop();
  };
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
        std::string key = options.prefix + current->key;
        if (!lastEntry.empty() && key <= lastEntry)
          throw ObjectsError("the backup holds " + current->key + " after " +
                             lastEntry.substr(options.prefix.size()) + ", out of key order");
        lastEntry = key;
        const std::string* listed = listedKey();
        while (listed && *listed < key) {
          notInBackup(*listed);
          listed = listedKey();
        }
        std::string md5;
        if (catalog) {
          if (const auto* known = catalog->find(current->key)) md5 = known->md5;
        }
        bool present = listed && *listed == key;
        if (present) {
          const s3::ObjectInfo& info = *there.peek();
          skip =
              info.size == current->size && (sameEtag(info.etag, current->etag) || sameEtag(info.etag, md5));
          lastListed = key;
          there.pop();
        } else {
          skip = false;
        }
        if (skip) {
          ++counts.kept;
          return false;
        }
        ++counts.put;
        counts.putBytes += current->size;
        if (!present && options.created && !options.dryRun) options.created(current->key);
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
  while (const std::string* listed = listedKey()) notInBackup(*listed);
  return counts;
}

}  // namespace volumes::objects
