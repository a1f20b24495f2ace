#include "volumes/chunks/chunked_part.hpp"

#include <zstd.h>

#include "volumes/zstd_stream.hpp"

namespace volumes::chunks {

namespace {
constexpr std::size_t kInlineChunk = 64 * 1024;
}

struct ChunkedPartWriter::Compressor {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ~Compressor() { ZSTD_freeCCtx(context); }
};

// A chunk on its way to the store: named, looked up and (when the store lacks it) compressed by
// a worker, or by the writer's own thread without workers.
struct ChunkedPartWriter::Job {
  ChunkRef ref;
  std::string raw, blob;
  bool done = false;
  std::exception_ptr error;
};

ChunkedPartWriter::ChunkedPartWriter(BlobStore& store, const ChunkKeys& keys, RefSink refs,
                                     ChunkLimits limits, int level, int threads)
    : store_(store),
      keys_(keys),
      refs_(std::move(refs)),
      chunker_(limits),
      level_(level),
      max_(limits.max),
      compressor_(std::make_unique<Compressor>()) {
  if (!compressor_->context) throw CompressionError("zstd: cannot create a compression context");
  chunk_.reserve(max_);
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
        std::exception_ptr error;
        try {
          if (!own.context) throw CompressionError("zstd: cannot create a compression context");
          process(*job, own.context);
        } catch (...) {
          error = std::current_exception();
        }
        lock.lock();
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

void ChunkedPartWriter::process(Job& job, ZSTD_CCtx* context) const {
  job.ref.name = keys_.name(job.raw);
  if (auto length = store_.find(job.ref.name)) {
    job.ref.stored = *length;
    return;
  }
  job.blob.resize(ZSTD_compressBound(job.raw.size()));
  std::size_t n =
      ZSTD_compressCCtx(context, job.blob.data(), job.blob.size(), job.raw.data(), job.raw.size(), level_);
  if (ZSTD_isError(n)) throw CompressionError(std::string("zstd: ") + ZSTD_getErrorName(n));
  job.blob.resize(n);
  job.blob = keys_.seal(std::move(job.blob));
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

bool ChunkedPartWriter::reuse(const std::string& name, std::uint64_t size) {
  boundary();
  auto stored = store_.find(name);
  if (!stored) return false;
  auto job = std::make_shared<Job>();
  job->ref = ChunkRef{name, size, *stored, false};
  job->done = true;
  raw_ += size;
  inFlight_.push_back(std::move(job));
  complete(workers_.size() + 2);
  return true;
}

void ChunkedPartWriter::finish() {
  boundary();
  complete(0);
}

void ChunkedPartWriter::emit() {
  auto job = std::make_shared<Job>();
  job->ref.size = chunk_.size();
  job->raw.swap(chunk_);
  if (!spare_.empty()) {  // a finished chunk's buffer, already grown
    chunk_.swap(spare_.back());
    spare_.pop_back();
  }
  chunk_.clear();
  chunk_.reserve(max_);
  // A small chunk (a tar header, a small file) is done here: handing it to a worker and waiting
  // for it costs more than compressing it, thousands of times over for a volume of small files.
  if (workers_.empty() || job->raw.size() < kInlineChunk) {
    process(*job, compressor_->context);
    job->done = true;
  } else {
    std::lock_guard lock(mutex_);
    queue_.push_back(job);
    work_.notify_one();
  }
  inFlight_.push_back(std::move(job));
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
    if (!job->blob.empty()) {
      // Stored since the worker looked (an earlier chunk of this stream, another part): not twice.
      if (auto length = store_.find(ref.name)) {
        ref.stored = *length;
      } else {
        ref.stored = job->blob.size();
        ref.added = true;
        stored_ += job->blob.size();
        newRaw_ += job->raw.size();
        store_.put(ref.name, std::move(job->blob), job->raw.size());
      }
    }
    refs_(ref);
    inFlight_.pop_front();
    if (spare_.size() < workers_.size() + 3) spare_.push_back(std::move(job->raw));
  }
}

}  // namespace volumes::chunks
