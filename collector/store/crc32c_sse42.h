// RocksDB's CRC32C with the SSE4.2 instruction, in place of Debian's portable build's table
// version (see crc32c_sse42.cc for how, and why).
#ifndef LLMTAP_COLLECTOR_STORE_CRC32C_SSE42_H_
#define LLMTAP_COLLECTOR_STORE_CRC32C_SSE42_H_

#include <cstddef>
#include <cstdint>

namespace llmtap::collector {

// Whether RocksDB's CRC32C runs on the crc32 instruction here (false on CPUs without it).
bool Crc32cUsesSse42();

// RocksDB's own table-driven Extend, which the wrap replaces: the reference for tests.
uint32_t Crc32cExtendRocksDb(uint32_t crc, const char* data, size_t n);

// The function that calls to rocksdb::crc32c::Extend reach when the wrap is linked in.
using Crc32cExtendFn = uint32_t (*)(uint32_t, const char*, size_t);
Crc32cExtendFn Crc32cWrappedExtend();

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_CRC32C_SSE42_H_
