#include "volumes/chunks/chunked_part.hpp"

#include <zstd.h>

#include "volumes/zstd_stream.hpp"

namespace volumes::chunks {

struct ChunkedPartWriter::Compressor {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ~Compressor() { ZSTD_freeCCtx(context); }
};

// A chunk on its way to the store: compressed by a worker (raw -> blob), or already stored
// (`raw` empty), or the same as an earlier chunk in flight (`same`).
struct ChunkedPartWriter::Job {
  ChunkRef ref;
  std::string raw, blob;
  std::shared_ptr<Job> same;
  bool done = false;
  std::exception_ptr error;
};

ChunkedPartWriter::ChunkedPartWriter(BlobStore& store, const ChunkNamer& namer, RefSink refs,
                                     ChunkLimits limits, int level, int threads)
    : store_(store),
      namer_(namer),
      refs_(std::move(refs)),
      chunker_(limits),
      level_(level),
      compressor_(std::make_unique<Compressor>()) {
  if (!compressor_->context) throw CompressionError("zstd: cannot create a compression context");
  chunk_.reserve(limits.max);
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] {
      Compressor own;
      std::unique_lock lock(mutex_);
      for (;;) {
        work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        auto job = queue_.front();
        queue_.pop_front();
        lock.unlock();
        std::string blob;
        std::exception_ptr error;
        try {
          if (!own.context) throw CompressionError("zstd: cannot create a compression context");
          blob = compress(own.context, job->raw);
        } catch (...) {
          error = std::current_exception();
        }
        lock.lock();
        job->blob = std::move(blob);
        job->error = error;
        job->done = true;
        done_.notify_all();
      }
    });
  }
}

ChunkedPartWriter::~ChunkedPartWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  for (auto& worker : workers_) worker.join();
}

std::string ChunkedPartWriter::compress(ZSTD_CCtx* context, const std::string& raw) const {
  std::string blob(ZSTD_compressBound(raw.size()), '\0');
  std::size_t n = ZSTD_compressCCtx(context, blob.data(), blob.size(), raw.data(), raw.size(), level_);
  if (ZSTD_isError(n)) throw CompressionError(std::string("zstd: ") + ZSTD_getErrorName(n));
  blob.resize(n);
  return blob;
}

void ChunkedPartWriter::write(std::string_view bytes) {
  raw_ += bytes.size();
  while (auto cut = chunker_.cut(bytes)) {
    chunk_.append(bytes.substr(0, *cut));
    bytes.remove_prefix(*cut);
    emit();
  }
  chunk_.append(bytes);
}

void ChunkedPartWriter::boundary() {
  if (chunk_.empty()) return;
  chunker_.restart();
  emit();
}

void ChunkedPartWriter::finish() {
  boundary();
  complete(0);
}

void ChunkedPartWriter::emit() {
  auto job = std::make_shared<Job>();
  job->ref = ChunkRef{namer_.name(chunk_), chunk_.size(), 0, false};
  if (auto length = store_.find(job->ref.name)) {
    job->ref.stored = *length;
    job->done = true;
  } else {
    for (const auto& earlier : inFlight_)
      if (earlier->ref.name == job->ref.name && (earlier->same || !earlier->raw.empty()))
        job->same = earlier->same ? earlier->same : earlier;
    if (job->same) {
      job->done = true;
    } else if (workers_.empty()) {
      job->raw = chunk_;
      job->blob = compress(compressor_->context, chunk_);
      job->done = true;
    } else {
      job->raw = chunk_;
      std::lock_guard lock(mutex_);
      queue_.push_back(job);
      work_.notify_one();
    }
  }
  inFlight_.push_back(std::move(job));
  chunk_.clear();
  complete(workers_.size() + 2);
}

void ChunkedPartWriter::complete(std::size_t keep) {
  while (inFlight_.size() > keep) {
    auto job = inFlight_.front();
    {
      std::unique_lock lock(mutex_);
      done_.wait(lock, [&] { return job->done; });
    }
    if (job->error) std::rethrow_exception(job->error);
    ChunkRef ref = job->ref;
    if (job->same) {
      ref.stored = job->same->ref.stored;
    } else if (!job->raw.empty()) {
      ref.stored = job->blob.size();
      ref.added = true;
      stored_ += job->blob.size();
      newRaw_ += job->raw.size();
      store_.put(ref.name, std::move(job->blob), job->raw.size());
      job->ref = ref;  // a later chunk of the same name takes its length from here
      job->raw.clear();
      job->raw.shrink_to_fit();
    }
    refs_(ref);
    inFlight_.pop_front();
  }
}

}  // namespace volumes::chunks
