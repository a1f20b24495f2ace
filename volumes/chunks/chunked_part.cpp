#include "volumes/chunks/chunked_part.hpp"

#include <zstd.h>

#include "volumes/zstd_stream.hpp"

namespace volumes::chunks {

struct ChunkedPartWriter::Compressor {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ~Compressor() { ZSTD_freeCCtx(context); }
};

ChunkedPartWriter::ChunkedPartWriter(BlobStore& store, const ChunkNamer& namer, RefSink refs,
                                     ChunkLimits limits, int level)
    : store_(store),
      namer_(namer),
      refs_(std::move(refs)),
      chunker_(limits),
      level_(level),
      compressor_(std::make_unique<Compressor>()) {
  if (!compressor_->context) throw CompressionError("zstd: cannot create a compression context");
  chunk_.reserve(limits.max);
}

ChunkedPartWriter::~ChunkedPartWriter() = default;

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
}

void ChunkedPartWriter::emit() {
  ChunkRef ref{namer_.name(chunk_), chunk_.size(), 0, false};
  if (auto length = store_.find(ref.name)) {
    ref.stored = *length;
  } else {
    std::string blob(ZSTD_compressBound(chunk_.size()), '\0');
    std::size_t n = ZSTD_compressCCtx(compressor_->context, blob.data(), blob.size(), chunk_.data(),
                                      chunk_.size(), level_);
    if (ZSTD_isError(n)) throw CompressionError(std::string("zstd: ") + ZSTD_getErrorName(n));
    blob.resize(n);
    stored_ += n;
    newRaw_ += chunk_.size();
    ref.stored = n;
    ref.added = true;
    store_.put(ref.name, std::move(blob), chunk_.size());
  }
  refs_(ref);
  chunk_.clear();
}

}  // namespace volumes::chunks
