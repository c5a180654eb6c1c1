// The SSE4.2 CRC32C that replaces RocksDB's table-driven one (collector/store/crc32c_sse42.cc)
// gives RocksDB's values exactly: on the standard check value, on every length and alignment
// around the 8-byte steps, and when extended piece by piece, as the WAL writer does.
#include "collector/store/crc32c_sse42.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

// RocksDB's declaration (util/crc32c.h, which the package does not install). This test's calls
// are wrapped like RocksDB's own.
namespace rocksdb::crc32c {
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);
}  // namespace rocksdb::crc32c

namespace llmtap::collector {
namespace {

TEST(Crc32c, RocksDbCallsTheInstructionVersion) {
  // Linked like llmtapd, this binary's references to RocksDB's Extend go to the wrap.
  EXPECT_EQ(&rocksdb::crc32c::Extend, Crc32cWrappedExtend());
  if (!__builtin_cpu_supports("sse4.2")) GTEST_SKIP() << "this CPU has no SSE4.2";
  EXPECT_TRUE(Crc32cUsesSse42());
}

TEST(Crc32c, StandardCheckValue) {
  // CRC-32C of "123456789" (RFC 3720, appendix B.4).
  EXPECT_EQ(rocksdb::crc32c::Extend(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32cExtendRocksDb(0, "123456789", 9), 0xE3069283u);
}

TEST(Crc32c, SameAsRocksDbOnEveryLengthAndAlignment) {
  std::mt19937_64 rng(7);
  std::string data(4096 + 64, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 16; ++offset) {
    for (size_t n = 0; n <= 200; ++n) {
      const uint32_t init = static_cast<uint32_t>(rng());
      ASSERT_EQ(rocksdb::crc32c::Extend(init, data.data() + offset, n),
                Crc32cExtendRocksDb(init, data.data() + offset, n))
          << "offset " << offset << ", length " << n;
    }
  }
  EXPECT_EQ(rocksdb::crc32c::Extend(0, data.data(), data.size()),
            Crc32cExtendRocksDb(0, data.data(), data.size()));
}

TEST(Crc32c, ExtendingPieceByPieceEqualsTheWhole) {
  const std::string text = "a WAL record is checksummed over its type byte, then its payload";
  uint32_t crc = 0;
  for (size_t at = 0; at < text.size(); at += 5) {
    crc = rocksdb::crc32c::Extend(crc, text.data() + at, std::min<size_t>(5, text.size() - at));
  }
  EXPECT_EQ(crc, rocksdb::crc32c::Extend(0, text.data(), text.size()));
  EXPECT_EQ(crc, Crc32cExtendRocksDb(0, text.data(), text.size()));
}

}  // namespace
}  // namespace llmtap::collector
