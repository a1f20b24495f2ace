#pragma once
// The lines of a stored file that is one zstd frame of text (a volume's or a bucket's catalog),
// read in order with bounded memory. `Error` is what the caller's readers throw (it names the file).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "volumes/stored_bytes.hpp"
#include "volumes/zstd_stream.hpp"

namespace volumes {

template <typename Error>
class ZstdLines {
 public:
  ZstdLines(std::unique_ptr<StoredReader> file, std::string what, std::size_t lineLimit = 16 << 20)
      : file_(std::move(file)),
        what_(std::move(what)),
        limit_(lineLimit),
        zstd_([this](std::string_view bytes) { text_.append(bytes); }) {}

  const std::string& where() const { return file_->where(); }

  // The next line without its newline; nullopt at the end. Throws Error for a cut or overlong line.
  std::optional<std::string> next() {
    char buffer[64 * 1024];
    for (;;) {
      auto nl = text_.find('\n', at_);
      if (nl != std::string::npos) {
        std::string out = text_.substr(at_, nl - at_);
        at_ = nl + 1;
        if (at_ > (1 << 20)) {
          text_.erase(0, at_);
          at_ = 0;
        }
        return out;
      }
      if (text_.size() - at_ > limit_) throw Error(what_ + " " + where() + ": a line is too long");
      if (ended_) {
        if (at_ != text_.size()) throw Error(what_ + " " + where() + ": the last line is cut");
        return std::nullopt;
      }
      std::size_t n = file_->read(buffer, sizeof buffer);
      if (n == 0) {
        zstd_.finish();
        ended_ = true;
      } else {
        zstd_.write(std::string_view(buffer, n));
      }
    }
  }

 private:
  std::unique_ptr<StoredReader> file_;
  std::string what_;
  std::size_t limit_;
  std::string text_;  // decompressed, not yet taken
  std::size_t at_ = 0;
  ZstdDecompressor zstd_;
  bool ended_ = false;
};

}  // namespace volumes
