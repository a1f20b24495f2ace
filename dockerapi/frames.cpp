#include "dockerapi/frames.hpp"

#include <algorithm>

#include "dockerapi/errors.hpp"

namespace dockerapi {

FrameDemuxer::FrameDemuxer(base::ChunkSink stdoutSink, base::ChunkSink stderrSink)
    : stdout_(std::move(stdoutSink)), stderr_(std::move(stderrSink)) {}

void FrameDemuxer::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    if (remaining_ == 0) {
      std::size_t take = std::min(header_.size() - headerFill_, chunk.size());
      std::copy_n(chunk.begin(), take, header_.begin() + static_cast<std::ptrdiff_t>(headerFill_));
      headerFill_ += take;
      chunk.remove_prefix(take);
      if (headerFill_ < header_.size()) return;
      headerFill_ = 0;
      stream_ = header_[0];
      if (stream_ > 2 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
        throw EngineError(
            ErrorKind::Protocol,
            "malformed exec output stream from the engine (bad frame header; was a TTY requested?)");
      }
      remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                   (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
      continue;
    }
    std::size_t take = std::min<std::size_t>(remaining_, chunk.size());
    std::string_view payload = chunk.substr(0, take);
    chunk.remove_prefix(take);
    remaining_ -= static_cast<std::uint32_t>(take);
    // Stream 0 is stdin echoed back (never sent without a TTY); treat it as stdout.
    if (stream_ == 2) {
      stderrBytes_ += take;
      if (stderr_) stderr_(payload);
    } else {
      stdoutBytes_ += take;
      if (stdout_) stdout_(payload);
    }
  }
}

}  // namespace dockerapi
