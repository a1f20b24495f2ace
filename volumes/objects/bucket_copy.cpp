#include "volumes/objects/bucket_copy.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <thread>

#include "base/md5.hpp"

namespace volumes::objects {

namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kWarningsKept = 5;

class ClientBucket : public Bucket {
 public:
  explicit ClientBucket(s3::Client& client) : client_(client) {}
  void list(const std::string& prefix,
            const std::function<void(std::vector<s3::ObjectInfo>&)>& page) override {
    client_.listObjects(prefix, page);
  }
  s3::Fetched fetch(const std::string& key, const std::string& ifMatch,
                    const base::ChunkSink& sink) override {
    return client_.fetchObject(key, ifMatch, sink);
  }
  s3::Fetched describe(const std::string& key) override { return client_.describeObject(key); }

 private:
  s3::Client& client_;
};

// One small object fetched ahead into memory.
struct Held {
  s3::Fetched fetched;
  std::string body, md5;
  bool archived = false;
  std::string error;  // archived: the store's words
};

}  // namespace

std::unique_ptr<Bucket> clientBucket(s3::Client& client) {
  return std::make_unique<ClientBucket>(client);
}

bool archivedClass(const std::string& storageClass) {
  return storageClass == "GLACIER" || storageClass == "DEEP_ARCHIVE" || storageClass == "Archive" ||
         storageClass == "ColdArchive" || storageClass == "DeepColdArchive";
}

struct BucketCopy::Pending {
  CatalogObject line;
  std::uint64_t start = 0, end = 0;  // its content's raw offsets in the part
  bool open = true;                  // still being written: its MD5 is not known yet
};

BucketCopy::BucketCopy(Bucket& bucket, PartOutput out, ObjectCatalogReader* previous,
                       std::unique_ptr<StoredWriter> catalog, BucketCopyOptions options)
    : bucket_(bucket),
      out_(std::move(out)),
      previous_(previous),
      catalog_(std::move(catalog)),
      options_(std::move(options)),
      fetchers_(std::max(1, options_.parallel)) {}

BucketCopy::~BucketCopy() = default;

void BucketCopy::warn(const std::string& warning) {
  if (counts_.warnings.size() < kWarningsKept) counts_.warnings.push_back(warning);
  ++counts_.warningCount;
}

void BucketCopy::chunk(const chunks::ChunkRef& ref) {
  std::uint64_t at = chunkedTo_;
  chunkedTo_ += ref.size;
  for (auto& p : pending_) {
    if (at >= p->start && at < p->end) p->line.chunks.emplace_back(ref.name, ref.size);
  }
  settle();
}

void BucketCopy::settle() {
  std::size_t done = 0;
  while (done < pending_.size() && !pending_[done]->open && pending_[done]->end <= chunkedTo_) {
    catalog_.add(pending_[done]->line);
    ++done;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
}

void BucketCopy::put(const StoredObject& object, const std::function<std::string()>& content, bool reused) {
  std::string headers = entryHeaders(object);
  out_.write(headers);
  raw_ += headers.size();
  auto pending = std::make_unique<Pending>();
  pending->line = {object.key, object.size, object.etag, "", object.metadata, {}};
  pending->start = raw_;
  pending->end = raw_ + object.size;
  if (!out_.reuse) pending->end = 0;  // a plain part: no chunks to wait for
  Pending& line = *pending;
  pending_.push_back(std::move(pending));
  if (out_.boundary) out_.boundary();
  line.line.md5 = content();
  line.open = false;
  raw_ += object.size;
  if (out_.boundary) out_.boundary();
  std::string padding((kBlock - object.size % kBlock) % kBlock, '\0');
  out_.write(padding);
  raw_ += padding.size();
  ++counts_.objects;
  counts_.bytes += object.size;
  if (reused) {
    ++counts_.reused;
    counts_.reusedBytes += object.size;
  } else {
    ++counts_.fetched;
    counts_.fetchedBytes += object.size;
  }
  settle();
}

void BucketCopy::page(std::vector<s3::ObjectInfo>& listed) {
  ++counts_.listPages;
  enum class Action { Reuse, Skip, Small, Large };
  struct Item {
    s3::ObjectInfo info;
    std::string key;  // below the prefix
    Action action = Action::Small;
    CatalogObject before;
  };
  std::vector<Item> items;
  for (auto& info : listed) {
    if (info.key.compare(0, options_.prefix.size(), options_.prefix) != 0)
      throw ObjectsError("the listing of prefix '" + options_.prefix + "' returned key '" + info.key + "'");
    // The catalog lookups and a restore's walk beside the target's listing count on key order.
    if (!lastKey_.empty() && info.key <= lastKey_)
      throw ObjectsError("the store listed '" + info.key + "' after '" + lastKey_ +
                         "': not in key order as S3 lists, so this store cannot be backed up");
    lastKey_ = info.key;
    if (options_.listed) options_.listed(info);
    Item item{std::move(info), {}, Action::Small, {}};
    item.key = item.info.key.substr(options_.prefix.size());
    const CatalogObject* before = previous_ ? previous_->find(item.key) : nullptr;
    bool stored = before && (before->size == 0 || !before->chunks.empty()) &&
                  std::all_of(before->chunks.begin(), before->chunks.end(),
                              [&](const auto& c) { return out_.has && out_.has(c.first); });
    if (before && out_.reuse && stored && unchanged(*before, item.info, item.key)) {
      item.action = Action::Reuse;
      item.before = *before;
    } else if (archivedClass(item.info.storageClass)) {
      item.action = Action::Skip;
    } else if (item.info.size > options_.streamAbove) {
      item.action = Action::Large;
    }
    items.push_back(std::move(item));
  }

  // Small objects are fetched ahead, at most `parallel` at once and `windowBytes` held.
  std::deque<std::pair<std::size_t, std::future<Held>>> ahead;
  // A failure leaves no fetch of this page running behind it (its bytes would be thrown away).
  struct Drain {
    std::deque<std::pair<std::size_t, std::future<Held>>>& ahead;
    ~Drain() {
      for (auto& a : ahead) {
        if (a.second.valid()) a.second.wait();
      }
    }
  } drain{ahead};
  std::size_t next = 0;
  std::uint64_t heldBytes = 0;
  auto launch = [&](std::size_t upTo) {
    for (; next < items.size(); ++next) {
      if (items[next].action != Action::Small) continue;
      if (next > upTo && (ahead.size() >= static_cast<std::size_t>(options_.parallel) ||
                          heldBytes + items[next].info.size > options_.windowBytes))
        break;
      heldBytes += items[next].info.size;
      ++counts_.requests;
      std::function<Held()> fetch = [this, key = items[next].info.key, etag = items[next].info.etag] {
        Held held;
        base::Md5 md5;
        try {
          held.fetched = bucket_.fetch(key, etag, [&](std::string_view bytes) {
            held.body.append(bytes);
            md5.update(bytes);
          });
        } catch (const s3::S3Error& e) {
          if (e.code() != "InvalidObjectState") throw;
          held.archived = true;
          held.error = e.what();
        }
        held.md5 = md5.hexDigest();
        return held;
      };
      ahead.emplace_back(next, fetchers_.submit(std::move(fetch)));
    }
  };

  for (std::size_t i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    StoredObject object{
        item.key, item.info.size, s3::parseIsoTime(item.info.lastModified), item.info.etag, {}};
    const std::string& full = item.info.key;
    if (item.action == Action::Reuse) {
      object.metadata = item.before.metadata;
      put(
          object,
          [&] {
            for (const auto& [name, size] : item.before.chunks) {
              if (!out_.reuse(name, size))
                throw ObjectsError(
                    "chunk " + name + " of object " + full +
                    " left the store while it was reused; run `docker agentchat check --repair`");
            }
            return item.before.md5;
          },
          true);
      continue;
    }
    if (item.action == Action::Skip) {
      ++counts_.archived;
      warn(full + ": storage class " + item.info.storageClass +
           " cannot be read without a restore (thaw) first");
      continue;
    }
    if (item.action == Action::Large) {
      ++counts_.requests;
      s3::Fetched head = bucket_.describe(full);
      if (head.status != s3::FetchStatus::Fetched || head.etag != item.info.etag) {
        ++(head.status == s3::FetchStatus::Missing ? counts_.vanished : counts_.changed);
        warn(full + (head.status == s3::FetchStatus::Missing ? ": removed" : ": replaced") +
             " after it was listed; left out of this backup");
        continue;
      }
      object.metadata = head.metadata;
      base::Md5 md5;
      std::uint64_t delivered = 0;
      ++counts_.requests;
      s3::Fetched got;
      // Replaced between the HEAD and the GET (If-Match): its header is out already, so the backup
      // fails rather than hold an entry without its bytes.
      std::function<std::string()> content = [&] {
        got = bucket_.fetch(full, item.info.etag, [&](std::string_view bytes) {
          md5.update(bytes);
          delivered += bytes.size();
          if (delivered > object.size)
            throw ObjectsError("object " + full + " sent more bytes than listed (" +
                               std::to_string(object.size) + ")");
          out_.write(bytes);
        });
        if (got.status == s3::FetchStatus::Fetched && delivered != object.size)
          throw ObjectsError("object " + full + " sent " + std::to_string(delivered) +
                             " bytes, listed with " + std::to_string(object.size));
        return md5.hexDigest();
      };
      launch(i);
      put(object, content, false);
      if (got.status != s3::FetchStatus::Fetched)
        throw ObjectsError("object " + full + " was replaced while it was read; run the backup again");
      continue;
    }
    launch(i);
    if (ahead.empty() || ahead.front().first != i)
      throw std::logic_error("bucket copy: fetched out of order");
    Held held = ahead.front().second.get();
    ahead.pop_front();
    heldBytes -= item.info.size;
    if (held.archived) {
      ++counts_.archived;
      warn(full + ": " + held.error);
      continue;
    }
    if (held.fetched.status != s3::FetchStatus::Fetched) {
      ++(held.fetched.status == s3::FetchStatus::Missing ? counts_.vanished : counts_.changed);
      warn(full + (held.fetched.status == s3::FetchStatus::Missing ? ": removed" : ": replaced") +
           " after it was listed; left out of this backup");
      continue;
    }
    if (held.body.size() != item.info.size) {
      ++counts_.changed;
      warn(full + ": read " + std::to_string(held.body.size()) + " bytes, listed with " +
           std::to_string(item.info.size) + "; left out of this backup");
      continue;
    }
    object.metadata = held.fetched.metadata;
    put(
        object,
        [&] {
          out_.write(held.body);
          return held.md5;
        },
        false);
  }
}

void BucketCopy::run() {
  // The next pages are listed while this one's objects are fetched: a LIST takes as long as many
  // GETs, and the store can answer both at once. Two pages at most wait.
  struct Pages {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::vector<s3::ObjectInfo>> waiting;
    bool ended = false, abandoned = false;
    std::exception_ptr error;
  } pages;
  struct Abandoned {};
  std::thread lister([&] {
    try {
      bucket_.list(options_.prefix, [&](std::vector<s3::ObjectInfo>& objects) {
        std::unique_lock lock(pages.mutex);
        pages.changed.wait(lock, [&] { return pages.waiting.size() < 2 || pages.abandoned; });
        if (pages.abandoned) throw Abandoned{};
        pages.waiting.push_back(std::move(objects));
        pages.changed.notify_all();
      });
    } catch (const Abandoned&) {
    } catch (...) {
      std::lock_guard lock(pages.mutex);
      pages.error = std::current_exception();
    }
    std::lock_guard lock(pages.mutex);
    pages.ended = true;
    pages.changed.notify_all();
  });
  struct Join {
    Pages& pages;
    std::thread& lister;
    ~Join() {
      {
        std::lock_guard lock(pages.mutex);
        pages.abandoned = true;
      }
      pages.changed.notify_all();
      lister.join();
    }
  } join{pages, lister};
  for (;;) {
    std::vector<s3::ObjectInfo> objects;
    {
      std::unique_lock lock(pages.mutex);
      pages.changed.wait(lock, [&] { return !pages.waiting.empty() || pages.ended; });
      if (pages.waiting.empty()) {
        if (pages.error) std::rethrow_exception(pages.error);
        break;
      }
      objects = std::move(pages.waiting.front());
      pages.waiting.pop_front();
      pages.changed.notify_all();
    }
    page(objects);
  }
  out_.write(std::string(2 * kBlock, '\0'));  // end of archive
  raw_ += 2 * kBlock;
}

std::string BucketCopy::close() {
  for (auto& p : pending_) catalog_.add(p->line);
  pending_.clear();
  return catalog_.close();
}

}  // namespace volumes::objects
