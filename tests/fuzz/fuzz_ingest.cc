// Fuzz target: IngestRequest bytes down the ingest path, as IngestService takes them. Bytes
// protobuf refuses go to DiagnoseUnparseable, which must answer an error; a parsed request
// goes through ValidateIngestRequest; a valid one is committed by the Committer into a real
// RocksDB store in a temp folder. Checked beyond the sanitizers: every committed sample is
// counted once (accepted or duplicate) and can be read back by id.
#include <cstdint>
#include <future>
#include <memory>
#include <string_view>

#include "collector/common/metrics.h"
#include "collector/common/strings.h"
#include "collector/ingest/committer.h"
#include "collector/ingest/validator.h"
#include "collector/store/store.h"
#include "fuzz_support.h"

namespace llmtap::collector {
namespace {

struct Env {
  fuzz::TempDir dir;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<Committer> committer;

  Env() {
    v1::StorageConfig config;
    config.set_min_free_disk_mb(0);
    auto opened = Store::Open(dir.path() + "/data", config);
    if (!opened.ok()) fuzz::Fail(Cat("Store::Open: ", opened.status().ToString()));
    store = std::move(*opened);
    committer = std::make_unique<Committer>(store.get(), &metrics, 16, nullptr,
                                            [] { return true; });
  }
};

Env& TheEnv() {
  static Env* env = new Env();  // Lives until exit; the store folder is left to the OS.
  return *env;
}

void FuzzOne(std::string_view bytes) {
  Env& env = TheEnv();
  auto request = std::make_shared<v1::IngestRequest>();
  if (!request->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    uint64_t batch_id = 0;
    const absl::Status s = DiagnoseUnparseable(bytes, &batch_id);
    if (s.code() != absl::StatusCode::kInvalidArgument) {
      fuzz::Fail(Cat("DiagnoseUnparseable: want INVALID_ARGUMENT, got ", s.ToString()));
    }
    return;
  }
  if (const absl::Status s = ValidateIngestRequest(*request); !s.ok()) {
    if (s.code() != absl::StatusCode::kInvalidArgument) {
      fuzz::Fail(Cat("ValidateIngestRequest: want INVALID_ARGUMENT, got ", s.ToString()));
    }
    return;
  }
  std::promise<IngestOutcome> done;
  env.committer->Submit(request, [&done](const IngestOutcome& o) { done.set_value(o); });
  const IngestOutcome outcome = done.get_future().get();
  if (!outcome.status.ok()) fuzz::Fail(Cat("commit: ", outcome.status.ToString()));
  if (outcome.accepted + outcome.duplicates != static_cast<uint32_t>(request->samples_size())) {
    fuzz::Fail(Cat("commit counted ", outcome.accepted, " + ", outcome.duplicates, " of ",
                   request->samples_size(), " samples"));
  }
  for (const v1::Sample& s : request->samples()) {
    auto stored = env.store->GetSample(s.id());
    if (!stored.ok()) fuzz::Fail(Cat("sample ", s.id(), " acked, then ", stored.status().ToString()));
  }
}

}  // namespace
}  // namespace llmtap::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmtap::collector::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
