#include "collector/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "collector/common/strings.h"
#include "absl/strings/str_split.h"
#include "collector/alerting/alerting.h"
#include "absl/synchronization/notification.h"
#include "collector/common/health_service.h"
#include "collector/common/metrics.h"
#include "collector/config/config_loader.h"
#include "collector/fleet/fleet.h"
#include "collector/http/http_server.h"
#include "collector/ingest/committer.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/pricing.h"
#include "collector/query/query_engine.h"
#include "collector/query/query_service.h"
#include "collector/scoring/rubric_registry.h"
#include "collector/scoring/scorer.h"
#include "collector/scoring/scoring_engine.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"
#if __has_include("collector/judge/judge_scorer.h")
#include "collector/judge/judge_scorer.h"
#define LLMTAP_HAVE_JUDGE 1
#endif

namespace llmtap::collector {
namespace {

class ServerImpl final : public Server {
 public:
  absl::Status Init(const ServerOptions& options) {
    auto config = LoadConfig(options.config_path);
    if (!config.ok()) return config.status();
    config_ = std::move(*config);
    auto fleet_settings = fleet::ResolveFleetSettings(config_.fleet(), options.data_dir);
    if (!fleet_settings.ok()) return fleet_settings.status();
    fleet_settings_ = std::move(*fleet_settings);

    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) return absl::UnavailableError(Cat("data_dir ", options.data_dir, ": ", ec.message()));
    auto store = Store::Open(options.data_dir, config_.storage());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    metrics_.AddGauge("llmtap_store_disk_bytes", "Live SST bytes in all column families.",
                      [this] { return static_cast<double>(store_->DiskBytes()); });
    store_->ExportMetrics(&metrics_);

    RegisterBuiltinScorers();
#ifdef LLMTAP_HAVE_JUDGE
    RegisterJudgeScorer();
#endif
    rubrics_ = std::make_unique<RubricRegistry>(store_.get(), ScorerEnv{&config_});
    if (absl::Status s = rubrics_->Load(config_.rubrics()); !s.ok()) return s;
    scoring_ = std::make_unique<ScoringEngine>(store_.get(), rubrics_.get(), &tail_, &metrics_,
                                               config_.scoring());
    scoring_->Start();

    prices_ = std::make_unique<PriceTable>(config_.prices());
    Committer::Pricer pricer;
    if (!prices_->empty()) pricer = [this](v1::Sample* s) { prices_->Price(s); };
    const auto& ingest = config_.ingest();
    committer_ = std::make_unique<Committer>(
        store_.get(), &metrics_, ingest.has_max_group_batches() ? ingest.max_group_batches() : 256,
        std::move(pricer),
        // In fleet mode the scorers score (through Kafka), never the local queue.
        /*enqueue=*/[this] { return !fleet_settings_.any() && rubrics_->AnyEnabled(); },
        fleet_settings_.edge ? fleet_settings_.edge_max_backlog : 0);
    ingest_service_ = std::make_unique<IngestService>(
        committer_.get(), &metrics_,
        ingest.has_max_pending_batches() ? ingest.max_pending_batches() : 64);
    if (fleet_settings_.any()) {
      auto fleet = fleet::Fleet::Start(
          fleet_settings_, {store_.get(), committer_.get(), scoring_.get(), &tail_, &metrics_,
                            config_.scoring().has_workers() ? config_.scoring().workers() : 2});
      if (!fleet.ok()) return fleet.status();
      fleet_ = std::move(*fleet);
    }
    engine_ = std::make_unique<QueryEngine>(store_.get());
    auto alerting = Alerting::Create(store_.get(), config_.alerting(), &metrics_);
    if (!alerting.ok()) return alerting.status();
    alerting_ = std::move(*alerting);
    alerting_->Start();
    query_service_ = std::make_unique<QueryService>(engine_.get(), rubrics_.get(), &tail_,
                                                    alerting_.get());

    health_ = std::make_unique<HealthService>(std::set<std::string>{
        "llmtap.v1.IngestService", "llmtap.v1.QueryService"});
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.grpc_addr, grpc::InsecureServerCredentials(), &grpc_port_);
    builder.SetMaxReceiveMessageSize(v1::LIMIT_BATCH_BYTES);
    builder.RegisterService(ingest_service_.get());
    builder.RegisterService(query_service_.get());
    builder.RegisterService(health_.get());
    grpc_server_ = builder.BuildAndStart();
    if (!grpc_server_ || grpc_port_ == 0) {
      return absl::UnavailableError(Cat("cannot listen on ", options.grpc_addr));
    }
    http_ = std::make_unique<HttpServer>(engine_.get(), &metrics_);
    if (absl::Status s = http_->Start(options.http_addr); !s.ok()) return s;
    spdlog::info("llmtapd serving: grpc 127.0.0.1:{}, http 127.0.0.1:{}, data {} (WAL {}, {})",
                 grpc_port_, http_->port(), options.data_dir,
                 config_.storage().sync_wal() ? "synced" : "not synced",
                 config_.storage().wal_compression() ? "ZSTD" : "uncompressed");
    return absl::OkStatus();
  }

  int grpc_port() const override { return grpc_port_; }
  int http_port() const override { return http_ ? http_->port() : 0; }
  void Wait() override { stopped_.WaitForNotification(); }

  void Shutdown(absl::Duration grace) override {
    absl::MutexLock lock(&shutdown_mu_);
    if (stopped_.HasBeenNotified()) return;
    spdlog::info("llmtapd shutting down");
    if (http_) http_->Stop();
    if (alerting_) alerting_->Stop();  // No evaluation or webhook call during the grace time.
    if (grpc_server_) {
      health_->SetNotServing();
      // Streams that clients keep open end now (ingest acks what it has committed first),
      // so the grace time is only for calls that are really running.
      ingest_service_->Drain();
      tail_.Close();
      grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    }
    if (fleet_) fleet_->Stop(absl::Seconds(2));
    fleet_.reset();
    if (committer_) committer_->Stop();
    committer_.reset();  // Joins after committing what it holds.
    if (scoring_) scoring_->Stop();
    scoring_.reset();
    store_.reset();
    stopped_.Notify();
  }

  ~ServerImpl() override { Shutdown(absl::Seconds(1)); }

 private:
  v1::CollectorConfig config_;
  Metrics metrics_;
  std::unique_ptr<Store> store_;
  TailHub tail_;
  std::unique_ptr<RubricRegistry> rubrics_;
  std::unique_ptr<ScoringEngine> scoring_;
  std::unique_ptr<PriceTable> prices_;
  std::unique_ptr<Committer> committer_;
  fleet::FleetSettings fleet_settings_;
  std::unique_ptr<fleet::Fleet> fleet_;
  std::unique_ptr<IngestService> ingest_service_;
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<Alerting> alerting_;
  std::unique_ptr<QueryService> query_service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<HttpServer> http_;
  int grpc_port_ = 0;
  absl::Mutex shutdown_mu_;
  absl::Notification stopped_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto server = std::make_unique<ServerImpl>();
  if (absl::Status s = server->Init(options); !s.ok()) return s;
  return server;
}

}  // namespace llmtap::collector
