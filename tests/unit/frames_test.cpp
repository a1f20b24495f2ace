#include "dockerapi/frames.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dockerapi/errors.hpp"

namespace {

std::string frame(unsigned char stream, const std::string& payload) {
  std::string out(8, '\0');
  out[0] = static_cast<char>(stream);
  auto size = static_cast<std::uint32_t>(payload.size());
  out[4] = static_cast<char>(size >> 24);
  out[5] = static_cast<char>(size >> 16);
  out[6] = static_cast<char>(size >> 8);
  out[7] = static_cast<char>(size);
  return out + payload;
}

struct Collected {
  std::string out, err;
  dockerapi::FrameDemuxer demuxer() {
    return dockerapi::FrameDemuxer([this](std::string_view c) { out.append(c); },
                                   [this](std::string_view c) { err.append(c); });
  }
};

}  // namespace

TEST(FrameDemuxer, SplitsStdoutAndStderr) {
  Collected got;
  auto demux = got.demuxer();
  demux.feed(frame(1, "hello ") + frame(2, "oops\n") + frame(1, "world"));
  EXPECT_EQ(got.out, "hello world");
  EXPECT_EQ(got.err, "oops\n");
  EXPECT_TRUE(demux.atBoundary());
  EXPECT_EQ(demux.stdoutBytes(), 11u);
  EXPECT_EQ(demux.stderrBytes(), 5u);
}

TEST(FrameDemuxer, SurvivesEverySplitPointOfAStream) {
  std::string stream =
      frame(1, "abc") + frame(2, "") + frame(2, "error text") + frame(1, std::string(300, 'x'));
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Collected got;
    auto demux = got.demuxer();
    demux.feed(std::string_view(stream).substr(0, cut));
    demux.feed(std::string_view(stream).substr(cut));
    ASSERT_EQ(got.out, "abc" + std::string(300, 'x')) << "cut at " << cut;
    ASSERT_EQ(got.err, "error text") << "cut at " << cut;
    ASSERT_TRUE(demux.atBoundary());
  }
}

TEST(FrameDemuxer, ByteAtATimeAndRandomChunks) {
  std::mt19937 random(42);
  std::string expectedOut, expectedErr, stream;
  for (int i = 0; i < 200; ++i) {
    std::string payload(random() % 5000, static_cast<char>('a' + i % 26));
    bool toErr = random() % 3 == 0;
    (toErr ? expectedErr : expectedOut) += payload;
    stream += frame(toErr ? 2 : 1, payload);
  }
  Collected oneByOne;
  auto demux = oneByOne.demuxer();
  for (char c : stream) demux.feed(std::string_view(&c, 1));
  EXPECT_EQ(oneByOne.out, expectedOut);
  EXPECT_EQ(oneByOne.err, expectedErr);

  Collected chunked;
  auto demux2 = chunked.demuxer();
  for (std::size_t at = 0; at < stream.size();) {
    std::size_t n = std::min<std::size_t>(1 + random() % 20000, stream.size() - at);
    demux2.feed(std::string_view(stream).substr(at, n));
    at += n;
  }
  EXPECT_EQ(chunked.out, expectedOut);
  EXPECT_EQ(chunked.err, expectedErr);
}

TEST(FrameDemuxer, ReportsTruncationAsNotAtBoundary) {
  Collected got;
  auto demux = got.demuxer();
  std::string full = frame(1, "0123456789");
  demux.feed(std::string_view(full).substr(0, 12));
  EXPECT_FALSE(demux.atBoundary());
  demux.feed(std::string_view(full).substr(0, 5));  // a new frame cannot start mid-payload: still inside
  EXPECT_FALSE(demux.atBoundary());
}

TEST(FrameDemuxer, RejectsATtyStream) {
  Collected got;
  auto demux = got.demuxer();
  EXPECT_THROW(demux.feed("total 0\ndrwxr-xr-x"), dockerapi::EngineError);
}
