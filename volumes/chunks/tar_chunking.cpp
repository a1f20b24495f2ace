#include "volumes/chunks/tar_chunking.hpp"

#include <algorithm>

namespace volumes::chunks {

namespace {
constexpr std::size_t kBlock = 512;
}

TarChunking::TarChunking(ChunkedPartWriter& writer)
    : writer_(writer),
      walker_(
          [this](const base::TarEntry& entry) {
            entryStarted_ = entry.regular() && entry.size > 0;
            payloadLeft_ = entryStarted_ ? entry.size : 0;
            if (entryStarted_ && starts_) current_ = entry;
            return entryStarted_;
          },
          [this](std::string_view data) { payloadInBlock_ += data.size(); }) {}

void TarChunking::write(std::string_view bytes) {
  if (!partial_.empty()) {
    std::size_t take = std::min(bytes.size(), kBlock - partial_.size());
    partial_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (partial_.size() < kBlock) return;
    block(partial_);
    partial_.clear();
  }
  while (bytes.size() >= kBlock) {
    block(bytes.substr(0, kBlock));
    bytes.remove_prefix(kBlock);
  }
  partial_.assign(bytes);
}

// The walker is fed one block at a time, so what it reports belongs to this block: a header that
// starts a file's content, or how many of its bytes are content (the rest is padding).
void TarChunking::block(std::string_view b) {
  entryStarted_ = false;
  payloadInBlock_ = 0;
  walker_.feed(b);
  if (entryStarted_) {
    writer_.write(b);
    writer_.boundary();  // the content starts a chunk
    if (starts_) starts_(current_, writer_.rawBytes());
    return;
  }
  if (payloadInBlock_ == 0) {
    writer_.write(b);
    return;
  }
  writer_.write(b.substr(0, payloadInBlock_));
  if (content_) content_(b.substr(0, payloadInBlock_));
  payloadLeft_ -= std::min(payloadLeft_, payloadInBlock_);
  if (payloadLeft_ == 0) writer_.boundary();  // and ends one; padding and headers follow
  writer_.write(b.substr(payloadInBlock_));
}

void TarChunking::finish() {
  if (!partial_.empty()) {  // a torn tail: the walker refuses it below
    walker_.feed(partial_);
    writer_.write(partial_);
    partial_.clear();
  }
  walker_.finish();
  walker_.requireEnd();
}

}  // namespace volumes::chunks
