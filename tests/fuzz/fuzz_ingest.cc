// Fuzz target: IngestRequest bytes down the ingest path, as IngestService takes them. Bytes
// protobuf refuses go to DiagnoseUnparseable, which must answer an error; a parsed request
// goes to the IngestGate (validation, app scope, rate) as the anonymous principal of a
// collector with no keys, and on through the Committer into a real RocksDB store in a temp
// folder. Checked beyond the sanitizers: a refusal is INVALID_ARGUMENT; every committed
// sample is counted once (accepted or duplicate) and can be read back by id.
#include <cstdint>
#include <future>
#include <memory>
#include <string_view>

#include "collector/common/metrics.h"
#include "collector/common/strings.h"
#include "collector/auth/authenticator.h"
#include "collector/auth/key_store.h"
#include "collector/auth/principal.h"
#include "collector/ingest/committer.h"
#include "collector/ingest/ingest_gate.h"
#include "collector/ingest/validator.h"
#include "collector/store/store.h"
#include "fuzz_support.h"
#include "google/protobuf/stubs/logging.h"

namespace llmtap::collector {
namespace {

struct Env {
  fuzz::TempDir dir;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<KeyStore> keys;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<IngestGate> gate;

  Env() {
    // protobuf logs each string field with invalid UTF-8 it refuses; quiet, it fuzzes faster.
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int,
                                       const std::string&) {});
    v1::StorageConfig config;
    config.set_min_free_disk_mb(0);
    auto opened = Store::Open(dir.path() + "/data", config);
    if (!opened.ok()) fuzz::Fail(Cat("Store::Open: ", opened.status().ToString()));
    store = std::move(*opened);
    auto key_store = KeyStore::Open(store.get());
    if (!key_store.ok()) fuzz::Fail(Cat("KeyStore::Open: ", key_store.status().ToString()));
    keys = std::move(*key_store);
    auth = std::make_unique<Authenticator>(keys.get(), v1::SecurityConfig());
    committer = std::make_unique<Committer>(store.get(), &metrics, 16, nullptr,
                                            [] { return true; });
    gate = std::make_unique<IngestGate>(auth.get(), committer.get());
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
  std::promise<IngestOutcome> done;
  const absl::Status refused = env.gate->Submit(
      Principal::Anonymous(), request, [&done](const IngestOutcome& o) { done.set_value(o); });
  if (!refused.ok()) {
    if (refused.code() != absl::StatusCode::kInvalidArgument) {
      fuzz::Fail(Cat("IngestGate: want INVALID_ARGUMENT, got ", refused.ToString()));
    }
    return;
  }
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
