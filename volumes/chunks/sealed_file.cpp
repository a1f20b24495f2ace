#include "volumes/chunks/sealed_file.hpp"

#include <cstring>
#include <optional>

#include "volumes/age_stream.hpp"
#include "volumes/repository.hpp"

namespace volumes::chunks {

namespace {

class SealedWriter : public StoredWriter {
 public:
  SealedWriter(std::unique_ptr<StoredWriter> file, const ChunkKeys& keys)
      : file_(std::move(file)),
        age_([this](std::string_view bytes) { file_->write(bytes); }, {keys.recipient()}) {}
  void write(std::string_view bytes) override { age_.write(bytes); }
  std::string close() override {
    age_.finish();
    return file_->close();
  }
  std::uint64_t size() const override { return file_->size(); }

 private:
  std::unique_ptr<StoredWriter> file_;
  AgeEncryptor age_;
};

class OpenedReader : public StoredReader {
 public:
  OpenedReader(std::unique_ptr<StoredReader> file, const ChunkKeys& keys)
      : file_(std::move(file)),
        age_([this](std::string_view plain) { plain_.append(plain); }, {keys.identity()},
             /*maxScryptLogN=*/0) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    char input[64 * 1024];
    while (at_ == plain_.size() && !ended_) {
      plain_.clear();
      at_ = 0;
      std::size_t got = file_->read(input, sizeof input);
      try {
        if (got == 0) {
          age_.finish();
          ended_ = true;
        } else {
          age_.write(std::string_view(input, got));
        }
      } catch (const AgeError& e) {
        throw RepositoryError(file_->where() + " does not open with the repository key (" + e.what() +
                              "): it is damaged");
      }
    }
    std::size_t n = std::min(capacity, plain_.size() - at_);
    std::memcpy(buffer, plain_.data() + at_, n);
    at_ += n;
    return n;
  }
  const std::string& where() const override { return file_->where(); }

 private:
  std::unique_ptr<StoredReader> file_;
  AgeDecryptor age_;
  std::string plain_;
  std::size_t at_ = 0;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<StoredWriter> sealedWriter(std::unique_ptr<StoredWriter> file, const ChunkKeys& keys) {
  if (!keys.seals()) return file;
  return std::make_unique<SealedWriter>(std::move(file), keys);
}

std::unique_ptr<StoredReader> openedReader(std::unique_ptr<StoredReader> file, const ChunkKeys& keys) {
  if (!keys.seals()) return file;
  return std::make_unique<OpenedReader>(std::move(file), keys);
}

}  // namespace volumes::chunks
