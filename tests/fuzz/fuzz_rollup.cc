// Fuzz target: decoding what the rollups family holds: rollup keys (ParseRollupKey, and
// ParseSampleKey beside it) and store.RollupValue sketches, parsed alone (Rollup::Parse) and
// merged by the RocksDB merge operator. The input is a list of pieces, each a length byte and
// that many bytes (the last piece takes what is left): piece 0 is a key, the others values.
// Checked beyond the sanitizers: a parsed key re-encodes to the same bytes; a parsed sketch
// re-parses from its own serialisation with the same count, sum, min and max; merging is
// associative in count; the merge operator always yields a value that parses.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/common/strings.h"
#include "collector/store/keys.h"
#include "collector/store/rocks_plugins.h"
#include "collector/store/sketch.h"
#include "fuzz_support.h"
#include "rocksdb/slice.h"

namespace llmtap::collector {
namespace {

std::vector<std::string_view> Pieces(std::string_view in) {
  std::vector<std::string_view> pieces;
  while (!in.empty()) {
    const size_t n = static_cast<unsigned char>(in[0]);
    in.remove_prefix(1);
    pieces.push_back(in.substr(0, n));
    in.remove_prefix(std::min(n, in.size()));
  }
  return pieces;
}

bool Same(double a, double b) { return a == b || (a != a && b != b); }

void CheckKey(std::string_view key) {
  if (auto p = keys::ParseRollupKey(key)) {
    const std::string again =
        keys::RollupKey(p->res, p->app, p->bucket_start_s, p->model, p->variant, p->series);
    if (again != key) fuzz::Fail("rollup key does not re-encode to itself");
  }
  if (auto p = keys::ParseSampleKey(key)) {
    if (keys::SampleKey(p->app, p->start_unix_nano, p->id16) != key) {
      fuzz::Fail("sample key does not re-encode to itself");
    }
  }
}

void CheckRoundTrip(const Rollup& r) {
  Rollup again;
  if (!again.Parse(r.Serialize())) fuzz::Fail("serialised rollup does not parse");
  if (again.count() != r.count() || !Same(again.sum(), r.sum()) || !Same(again.min(), r.min()) ||
      !Same(again.max(), r.max())) {
    fuzz::Fail("rollup changed through Serialize and Parse");
  }
  for (double q : {0.0, 0.5, 0.95, 1.0}) (void)r.Quantile(q);
  (void)r.StdDev();
}

void FuzzOne(std::string_view input) {
  const std::vector<std::string_view> pieces = Pieces(input);
  if (pieces.empty()) return;
  CheckKey(pieces[0]);

  std::vector<Rollup> values;
  for (size_t i = 1; i < pieces.size(); ++i) {
    Rollup r;
    if (r.Parse(pieces[i])) {
      CheckRoundTrip(r);
      values.push_back(std::move(r));
    }
  }
  if (values.size() >= 3) {
    Rollup left = values[0], right = values[1];
    left.Merge(values[1]);
    left.Merge(values[2]);
    right.Merge(values[2]);
    Rollup other = values[0];
    other.Merge(right);
    if (left.count() != other.count()) fuzz::Fail("merge is not associative in count");
    CheckRoundTrip(left);
  }

  static const std::shared_ptr<rocksdb::MergeOperator> op = NewRollupMergeOperator();
  if (pieces.size() >= 2) {
    const rocksdb::Slice key(pieces[0].data(), pieces[0].size());
    const rocksdb::Slice existing(pieces[1].data(), pieces[1].size());
    std::vector<rocksdb::Slice> operands;
    for (size_t i = 2; i < pieces.size(); ++i) operands.emplace_back(pieces[i].data(), pieces[i].size());
    std::string merged;
    rocksdb::Slice existing_operand(nullptr, 0);
    rocksdb::MergeOperator::MergeOperationOutput out(merged, existing_operand);
    const rocksdb::MergeOperator::MergeOperationInput in(key, &existing, operands, nullptr);
    if (!op->FullMergeV2(in, &out)) fuzz::Fail("FullMergeV2 refused");
    Rollup check;
    if (!check.Parse(merged)) fuzz::Fail("merged value does not parse");
    const std::deque<rocksdb::Slice> partial(operands.begin(), operands.end());
    std::string partial_value;
    if (!op->PartialMergeMulti(key, partial, &partial_value, nullptr)) {
      fuzz::Fail("PartialMergeMulti refused");
    }
    if (!check.Parse(partial_value)) fuzz::Fail("partially merged value does not parse");
  }
}

}  // namespace
}  // namespace llmtap::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmtap::collector::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
