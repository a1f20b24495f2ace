#include "volumes/stream_pipe.hpp"

#include <algorithm>
#include <cstring>

namespace volumes {

void StreamPipe::write(std::string_view chunk) {
  std::unique_lock lock(mutex_);
  while (!chunk.empty()) {
    changed_.wait(lock, [&] { return abandoned_ || buffered_ < capacity_; });
    if (abandoned_) throw PipeClosed();
    std::size_t n = std::min(chunk.size(), capacity_ - buffered_);
    chunks_.emplace_back(chunk.substr(0, n));
    buffered_ += n;
    chunk.remove_prefix(n);
    changed_.notify_all();
  }
}

void StreamPipe::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void StreamPipe::fail(std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  error_ = error;
  closed_ = true;
  changed_.notify_all();
}

std::size_t StreamPipe::read(char* buffer, std::size_t capacity) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !chunks_.empty() || closed_ || abandoned_; });
  if (abandoned_) throw PipeClosed();
  if (error_) std::rethrow_exception(error_);  // what is left of a failed stream is of no use
  if (chunks_.empty()) return 0;
  std::string& front = chunks_.front();
  std::size_t n = std::min(capacity, front.size() - offset_);
  std::memcpy(buffer, front.data() + offset_, n);
  offset_ += n;
  if (offset_ == front.size()) {
    buffered_ -= front.size();
    chunks_.pop_front();
    offset_ = 0;
    changed_.notify_all();
  }
  return n;
}

void StreamPipe::abandon() {
  std::lock_guard lock(mutex_);
  abandoned_ = true;
  changed_.notify_all();
}

}  // namespace volumes
