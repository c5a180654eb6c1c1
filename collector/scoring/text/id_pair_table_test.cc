#include "collector/scoring/text/id_pair_table.h"

#include <gtest/gtest.h>

namespace llmtap::collector::text {
namespace {

TEST(IdPairTableTest, GivesDenseIdsAndFindsOnlyInsertedPairs) {
  IdPairTable table;
  table.Reset(2);
  EXPECT_EQ(table.Find(1, 2), IdPairTable::kAbsent);
  EXPECT_EQ(table.Insert(3, 7), 1u);
  EXPECT_EQ(table.Insert(7, 3), 2u);
  EXPECT_EQ(table.Insert(3, 7), 1u);
  EXPECT_EQ(table.Find(3, 7), 1u);
  EXPECT_EQ(table.Find(7, 7), IdPairTable::kAbsent);
  EXPECT_EQ(table.size(), 2u);
}

TEST(IdPairTableTest, UsableBeforeAnyReset) {
  IdPairTable table;
  EXPECT_EQ(table.Find(0, 0), IdPairTable::kAbsent);
  EXPECT_EQ(table.Insert(0, 0), 1u);
  EXPECT_EQ(table.Insert(0xFFFFFFFF, 0), 2u);
  EXPECT_EQ(table.Find(0, 0), 1u);
  EXPECT_EQ(table.Find(0xFFFFFFFF, 0), 2u);
}

TEST(IdPairTableTest, GrowsPastTheExpectedSizeAndResets) {
  IdPairTable table;
  table.Reset(1);
  for (uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(table.Insert(i, i + 1), i + 1);
  for (uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(table.Find(i, i + 1), i + 1);
  table.Reset(1);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find(0, 1), IdPairTable::kAbsent);
}

TEST(IdPairTableTest, ManyResetsNeverShowStalePairs) {
  IdPairTable table;
  for (uint32_t round = 0; round < 1000; ++round) {
    table.Reset(round % 2 == 0 ? 2 : 200);
    ASSERT_EQ(table.Find(round - 1, round), IdPairTable::kAbsent) << round;
    ASSERT_EQ(table.Insert(round, round + 1), 1u);
  }
}

TEST(IdPairTableTest, AdjacentPairsGetTheIdsOfSingleInsertsAndFinds) {
  IdPairTable table;
  table.Reset(4);
  uint32_t ids[] = {5, 6, 5, 6, 9};  // Pairs (5, 6), (6, 5), (5, 6), (6, 9).
  table.InsertAdjacent(ids, 4);
  EXPECT_EQ(ids[0], 1u);
  EXPECT_EQ(ids[1], 2u);
  EXPECT_EQ(ids[2], 1u);
  EXPECT_EQ(ids[3], 3u);
  EXPECT_EQ(ids[4], 9u);  // Read, not written.
  uint32_t lookups[] = {6, 9, 9, 5, 6};  // Pairs (6, 9), (9, 9), (9, 5), (5, 6).
  table.FindAdjacent(lookups, 4);
  EXPECT_EQ(lookups[0], 3u);
  EXPECT_EQ(lookups[1], IdPairTable::kAbsent);
  EXPECT_EQ(lookups[2], IdPairTable::kAbsent);
  EXPECT_EQ(lookups[3], 1u);
}

TEST(IdPairTableTest, FindsPairsPastCollisions) {
  // Many pairs in a small table: some must share a first slot.
  IdPairTable table;
  table.Reset(1);
  for (uint32_t i = 0; i < 300; ++i) ASSERT_EQ(table.Insert(i * 7, i), i + 1);
  for (uint32_t i = 0; i < 300; ++i) {
    ASSERT_EQ(table.Find(i * 7, i), i + 1);
    ASSERT_EQ(table.Find(i * 7, i + 1), IdPairTable::kAbsent);
  }
}

}  // namespace
}  // namespace llmtap::collector::text
