#include "collector/scoring/text/id_pair_table.h"

#include <gtest/gtest.h>

namespace llmtap::collector::text {
namespace {

TEST(IdPairTableTest, GivesDenseIdsAndFindsOnlyInsertedPairs) {
  IdPairTable table;
  table.Reset(2);
  EXPECT_EQ(table.Find(1, 2), IdPairTable::kAbsent);
  EXPECT_EQ(table.Insert(3, 7), 0u);
  EXPECT_EQ(table.Insert(7, 3), 1u);
  EXPECT_EQ(table.Insert(3, 7), 0u);
  EXPECT_EQ(table.Find(3, 7), 0u);
  EXPECT_EQ(table.Find(7, 7), IdPairTable::kAbsent);
  EXPECT_EQ(table.size(), 2u);
}

TEST(IdPairTableTest, GrowsPastTheExpectedSizeAndResets) {
  IdPairTable table;
  table.Reset(1);
  for (uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(table.Insert(i, i + 1), i);
  for (uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(table.Find(i, i + 1), i);
  table.Reset(1);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find(0, 1), IdPairTable::kAbsent);
}

}  // namespace
}  // namespace llmtap::collector::text
