// MpmcRing: FIFO order, capacity, and many producers and consumers at once (run under TSan by
// the sanitizer build).
#include "mpmc_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace llmtap::internal {
namespace {

TEST(MpmcRing, PopsInPushOrderWithIncreasingPositions) {
  MpmcRing<int> ring(4);
  int items[3] = {10, 20, 30};
  for (int& item : items) ASSERT_TRUE(ring.TryPush(&item));
  EXPECT_EQ(ring.tail() - ring.head(), 3u);
  for (uint64_t expected = 0; expected < 3; ++expected) {
    int* item;
    uint64_t position;
    ASSERT_TRUE(ring.TryPop(&item, &position));
    EXPECT_EQ(item, &items[expected]);
    EXPECT_EQ(position, expected);
  }
  int* item;
  uint64_t position;
  EXPECT_FALSE(ring.TryPop(&item, &position));
}

class MpmcRingMemory : public testing::TestWithParam<MpmcRing<int>::Memory> {};

TEST_P(MpmcRingMemory, RefusesPushesWhenFullAndWrapsAround) {
  MpmcRing<int> ring(3, GetParam());  // Rounded up to 4.
  ASSERT_EQ(ring.capacity(), 4u);
  int item = 0;
  for (int lap = 0; lap < 3; ++lap) {
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(ring.TryPush(&item));
    EXPECT_FALSE(ring.TryPush(&item));
    int* popped;
    uint64_t position;
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(ring.TryPop(&popped, &position));
      EXPECT_EQ(position, static_cast<uint64_t>(lap * 4 + i));
    }
    EXPECT_FALSE(ring.TryPop(&popped, &position));
  }
}

// Lazy cells are left as calloc gave them (zero): they must behave as the eager ones.
INSTANTIATE_TEST_SUITE_P(EagerAndLazy, MpmcRingMemory,
                         testing::Values(MpmcRing<int>::Memory::kEager,
                                         MpmcRing<int>::Memory::kLazy));

TEST(MpmcRing, ManyProducersAndConsumersLoseAndDuplicateNothing) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 3;
  constexpr int kPerProducer = 50000;
  MpmcRing<const int> ring(64);  // Small, so it is often full and often empty.
  std::vector<int> values(kProducers * kPerProducer);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int>(i);
  std::vector<std::atomic<int>> seen(values.size());
  std::atomic<int> producers_left{kProducers};

  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        while (!ring.TryPush(&values[p * kPerProducer + i])) std::this_thread::yield();
      }
      producers_left.fetch_sub(1);
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      uint64_t last_position = 0;
      bool first = true;
      for (;;) {
        const int* item;
        uint64_t position;
        if (ring.TryPop(&item, &position)) {
          // Positions only grow, seen from any one consumer.
          EXPECT_TRUE(first || position > last_position);
          first = false;
          last_position = position;
          seen[*item].fetch_add(1);
        } else if (producers_left.load() == 0 && ring.tail() == ring.head()) {
          return;
        } else {
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  int missing = 0;
  int duplicated = 0;
  for (const auto& count : seen) {
    missing += count.load() == 0 ? 1 : 0;
    duplicated += count.load() > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
  EXPECT_EQ(ring.head(), values.size());
}

}  // namespace
}  // namespace llmtap::internal
