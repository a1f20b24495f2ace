#pragma once
// A file kept beside a chunked part (a volume's catalog: its file names, sizes and chunks), sealed
// to the repository key like the chunks themselves: in an encrypted store nothing a backup writes
// is readable without that key. An age file, so `age -d -i repo.key` opens it too. In a plain store
// both functions hand the file back as it is.
#include <memory>

#include "volumes/chunks/chunk_keys.hpp"
#include "volumes/stored_bytes.hpp"

namespace volumes::chunks {

// What is written is sealed on the way; close() returns the sealed bytes' sha256.
std::unique_ptr<StoredWriter> sealedWriter(std::unique_ptr<StoredWriter> file, const ChunkKeys& keys);
// What is read is opened on the way: plaintext only once its 64 KiB chunk authenticated. Throws
// RepositoryError naming the file when it does not open (damaged, or another repository's).
std::unique_ptr<StoredReader> openedReader(std::unique_ptr<StoredReader> file, const ChunkKeys& keys);

}  // namespace volumes::chunks
