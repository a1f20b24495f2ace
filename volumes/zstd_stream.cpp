#include "volumes/zstd_stream.hpp"

#include <zstd.h>

#include <string>
#include <vector>

namespace volumes {

namespace {
void check(std::size_t code, const char* what) {
  if (ZSTD_isError(code)) throw CompressionError(std::string(what) + ": " + ZSTD_getErrorName(code));
}
}  // namespace

struct ZstdCompressor::State {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  std::vector<char> buffer = std::vector<char>(ZSTD_CStreamOutSize());
  ~State() { ZSTD_freeCCtx(ctx); }
};

ZstdCompressor::ZstdCompressor(base::ChunkSink out, int level, int threads)
    : state_(std::make_unique<State>()), out_(std::move(out)) {
  if (state_->ctx == nullptr) throw CompressionError("zstd: cannot create a compression context");
  check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_compressionLevel, level), "zstd level");
  check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_checksumFlag, 1), "zstd checksum");
  if (threads > 0) {
    check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_nbWorkers, threads), "zstd threads");
    // Each worker holds a job's input and output: zstd's default job (4 windows, 8 MiB at level 3)
    // costs ~50 MiB per part; 1 MiB jobs keep memory bounded whatever the level, for a
    // compression ratio within a fraction of a percent.
    check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_jobSize, 1 << 20), "zstd job size");
  }
}

ZstdCompressor::~ZstdCompressor() = default;

void ZstdCompressor::drive(std::string_view bytes, int mode) {
  ZSTD_inBuffer input{bytes.data(), bytes.size(), 0};
  while (true) {
    ZSTD_outBuffer output{state_->buffer.data(), state_->buffer.size(), 0};
    std::size_t remaining =
        ZSTD_compressStream2(state_->ctx, &output, &input, static_cast<ZSTD_EndDirective>(mode));
    check(remaining, "zstd compress");
    if (output.pos > 0) out_(std::string_view(state_->buffer.data(), output.pos));
    bool done = mode == ZSTD_e_end ? remaining == 0 : input.pos == input.size;
    if (done) return;
  }
}

void ZstdCompressor::write(std::string_view bytes) {
  if (finished_) throw std::logic_error("zstd: write after finish");
  in_ += bytes.size();
  drive(bytes, ZSTD_e_continue);
}

void ZstdCompressor::finish() {
  if (finished_) return;
  drive({}, ZSTD_e_end);
  finished_ = true;
}

struct ZstdDecompressor::State {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  std::vector<char> buffer = std::vector<char>(ZSTD_DStreamOutSize());
  ~State() { ZSTD_freeDCtx(ctx); }
};

ZstdDecompressor::ZstdDecompressor(base::ChunkSink out, std::uint64_t maxOutput)
    : state_(std::make_unique<State>()), out_(std::move(out)), max_(maxOutput) {
  if (state_->ctx == nullptr) throw CompressionError("zstd: cannot create a decompression context");
}

ZstdDecompressor::~ZstdDecompressor() = default;

void ZstdDecompressor::write(std::string_view bytes) {
  ZSTD_inBuffer input{bytes.data(), bytes.size(), 0};
  bool outputFull = false;
  // Go on while input remains, or while the last call filled the buffer (more may be pending).
  while (input.pos < input.size || outputFull) {
    ZSTD_outBuffer output{state_->buffer.data(), state_->buffer.size(), 0};
    std::size_t hint = ZSTD_decompressStream(state_->ctx, &output, &input);
    check(hint, "zstd decompress (corrupt data?)");
    midFrame_ = hint != 0;
    // A full buffer may hold back more of this frame; once the frame is flushed (hint 0) there is
    // none, and asking again would start reading a next frame that is not there.
    outputFull = output.pos == output.size && midFrame_;
    out_bytes_ += output.pos;
    if (out_bytes_ > max_) {
      throw CompressionError("zstd: output exceeds the expected " + std::to_string(max_) + " bytes");
    }
    if (output.pos > 0) out_(std::string_view(state_->buffer.data(), output.pos));
  }
}

void ZstdDecompressor::finish() {
  if (midFrame_) throw CompressionError("zstd: the data ends inside a frame (truncated)");
}

}  // namespace volumes
