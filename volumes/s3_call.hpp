#pragma once
// S3's words, then the repository's: every S3 failure reaches the user as a RepositoryError saying
// what was being done.
#include <string>

#include "volumes/part_file.hpp"
#include "volumes/s3/s3_error.hpp"

namespace volumes {

template <typename F>
auto s3Call(const std::string& what, F&& call) {
  try {
    return call();
  } catch (const s3::S3Error& e) {
    throw RepositoryError(what + ": " + e.what());
  }
}

}  // namespace volumes
