#pragma once
// Joins a pushed stream to a pulled one across two threads: an engine's archive download (it
// pushes chunks) feeding another engine's upload or an exec's stdin (they pull). At most
// `capacity` bytes wait in between, so memory stays bounded however large the stream.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "base/streams.hpp"

namespace volumes {

class StreamPipe {
 public:
  explicit StreamPipe(std::size_t capacity = 8 << 20) : capacity_(capacity) {}

  // Producer side. write() blocks while the pipe is full; throws PipeClosed once the reader gave up.
  void write(std::string_view chunk);
  void close();                         // end of stream
  void fail(std::exception_ptr error);  // the producer failed: the reader's next read throws it
  base::ChunkSink sink() {
    return [this](std::string_view chunk) { write(chunk); };
  }

  // Consumer side: 0 at the end of the stream.
  std::size_t read(char* buffer, std::size_t capacity);
  void abandon();  // the transfer is given up: blocked or later write() and read() throw
  base::ChunkSource source() {
    return [this](char* buffer, std::size_t capacity) { return read(buffer, capacity); };
  }

  class PipeClosed : public base::Error {
   public:
    PipeClosed() : base::Error("the receiving side of the transfer stopped") {}
  };

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0, offset_ = 0;
  bool closed_ = false, abandoned_ = false;
  std::exception_ptr error_;
};

}  // namespace volumes
