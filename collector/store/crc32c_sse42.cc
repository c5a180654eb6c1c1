// RocksDB's CRC32C, computed with the SSE4.2 crc32 instruction.
//
// Debian builds RocksDB portable (without -msse4.2), so its rocksdb::crc32c::Extend is the
// table-driven Slow_CRC32 even on CPUs that have the instruction. RocksDB checksums every WAL
// record with it: under sustained ingest that took 5% of the machine, most of it on the
// committer thread (perf record -a over scripts/bench_ingest.sh).
//
// llmtap_collector links with --wrap=<Extend's mangled name> (collector/CMakeLists.txt), so
// RocksDB's calls to Extend land here instead. The values are the same: CRC32C is one
// polynomial, whichever way it is computed (crc32c_test.cc checks against RocksDB's own).
// On a CPU without SSE4.2 this hands over to RocksDB's function.
#include "collector/store/crc32c_sse42.h"

#include <nmmintrin.h>

#include <cstring>

extern "C" {
// RocksDB's own rocksdb::crc32c::Extend(uint32_t, const char*, size_t), under --wrap.
uint32_t __real__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc, const char* data, size_t n);
uint32_t __wrap__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc, const char* data, size_t n);
}

namespace llmtap::collector {
namespace {

// RocksDB's convention: `crc` is the finished CRC32C of what came before `data`.
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const char* data,
                                                        size_t n) {
  uint64_t c = crc ^ 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, data += 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; --n, ++data) c32 = _mm_crc32_u8(c32, static_cast<unsigned char>(*data));
  return c32 ^ 0xFFFFFFFFu;
}

// Until this is initialised (RocksDB's own static initialisers may run first), it reads false
// and RocksDB's function is used: the same values, only slower.
const bool kHaveSse42 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}();

}  // namespace

bool Crc32cUsesSse42() { return kHaveSse42; }

uint32_t Crc32cExtendRocksDb(uint32_t crc, const char* data, size_t n) {
  return __real__ZN7rocksdb6crc32c6ExtendEjPKcm(crc, data, n);
}

Crc32cExtendFn Crc32cWrappedExtend() { return &__wrap__ZN7rocksdb6crc32c6ExtendEjPKcm; }

}  // namespace llmtap::collector

uint32_t __wrap__ZN7rocksdb6crc32c6ExtendEjPKcm(uint32_t crc, const char* data, size_t n) {
  if (llmtap::collector::kHaveSse42) return llmtap::collector::ExtendSse42(crc, data, n);
  return __real__ZN7rocksdb6crc32c6ExtendEjPKcm(crc, data, n);
}
