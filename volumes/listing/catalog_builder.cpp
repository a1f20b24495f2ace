#include "volumes/listing/catalog_builder.hpp"

namespace volumes::listing {

void CatalogBuilder::file(std::uint64_t start, std::uint64_t size, std::optional<CatalogEntry> facts,
                          bool keep) {
  Pending p;
  p.start = start;
  p.end = start + size;
  p.keep = keep;
  p.facts = !keep;  // nothing to wait for
  if (facts) {
    p.entry = std::move(*facts);
    p.entry.chunks.clear();
    p.facts = true;
  }
  pending_.push_back(std::move(p));
}

void CatalogBuilder::facts(CatalogEntry facts) {
  auto& p = pending_.back();
  facts.chunks = std::move(p.entry.chunks);
  facts.flags += p.entry.flags;  // flag() may have come first
  p.entry = std::move(facts);
  p.facts = true;
  settle();
}

void CatalogBuilder::flag(char flag) {
  auto& flags = pending_.back().entry.flags;
  if (flags.find(flag) == std::string::npos) flags += flag;
}

void CatalogBuilder::chunk(const chunks::ChunkRef& ref) {
  std::uint64_t at = at_;
  at_ += ref.size;
  for (auto& p : pending_) {
    if (p.end <= at) continue;  // all its chunks are in
    if (at < p.start) return;   // a chunk of headers and padding
    if (at + ref.size > p.end) throw ListingError("a chunk straddles the end of " + p.entry.path);
    p.entry.chunks.emplace_back(ref.name, ref.size);
    p.have += ref.size;
    settle();
    return;
  }
}

void CatalogBuilder::settle() {
  while (!pending_.empty() && pending_.front().facts &&
         pending_.front().have == pending_.front().end - pending_.front().start) {
    if (pending_.front().keep) writer_->add(pending_.front().entry);
    pending_.pop_front();
  }
}

std::string CatalogBuilder::close() {
  settle();
  if (!pending_.empty())
    throw ListingError("the catalog misses the chunks of " + pending_.front().entry.path);
  return writer_->close();
}

}  // namespace volumes::listing
