#include "collector/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "collector/common/strings.h"
#include "absl/strings/str_split.h"
#include "collector/alerting/alerting.h"
#include "collector/auth/admin_handlers.h"
#include "collector/auth/admin_service.h"
#include "collector/auth/audit_log.h"
#include "collector/auth/authenticator.h"
#include "collector/auth/key_store.h"
#include "collector/auth/tls.h"
#include "collector/ingest/ingest_gate.h"
#include "collector/query/query_handlers.h"
#include "absl/synchronization/notification.h"
#include "collector/common/health_service.h"
#include "collector/common/metrics.h"
#include "collector/config/config_loader.h"
#include "collector/fleet/fleet.h"
#include "collector/http/http_server.h"
#include "collector/ingest/committer.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/pricing.h"
#include "collector/gateway/gateway.h"
#include "sdk/src/http/http_client.h"
#include "collector/otlp/ingest_entry.h"
#include "collector/otlp/otlp_http.h"
#include "collector/otlp/otlp_receiver.h"
#include "collector/otlp/score_exporter.h"
#include "collector/otlp/trace_service.h"
#include "collector/query/query_engine.h"
#include "collector/query/query_service.h"
#include "collector/scoring/rubric_registry.h"
#include "collector/scoring/scorer.h"
#include "collector/scoring/scoring_engine.h"
#include "collector/scoring/scorers/embedding_similarity_scorer.h"
#include "collector/scoring/store_embedding_cache.h"
#include "collector/scoring/store_pair_finder.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"
#if __has_include("collector/judge/judge_scorer.h")
#include "collector/judge/judge_scorer.h"
#define LLMTAP_HAVE_JUDGE 1
#endif

namespace llmtap::collector {
namespace {

bool IsLoopback(const std::string& address) {
  const std::string host = address.substr(0, address.rfind(':'));
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}

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

    auto keys = KeyStore::Open(store_.get());
    if (!keys.ok()) return keys.status();
    keys_ = std::move(*keys);
    for (const std::string* addr : {&options.grpc_addr, &options.http_addr, &options.proxy_addr}) {
      if (addr->empty() || IsLoopback(*addr) || keys_->any_keys()) continue;
      if (!options.insecure) {
        return absl::FailedPreconditionError(
            Cat("refusing to serve on ", *addr, " with no API key configured: anyone reaching it "
                "could read and write every app. Make an admin key first (llmtapd "
                "--new_admin_key --data_dir=", options.data_dir, "), or pass --insecure"));
      }
      spdlog::warn("INSECURE: serving on {} with no API key: anyone who can reach this port "
                   "reads and writes every app (--insecure)", *addr);
    }
    auto tls = CheckTls(config_.security().tls());
    if (!tls.ok()) return tls.status();
    auth_ = std::make_unique<Authenticator>(keys_.get(), config_.security());
    audit_ = std::make_unique<AuditLog>(store_.get());

    RegisterBuiltinScorers();
#ifdef LLMTAP_HAVE_JUDGE
    RegisterJudgeScorer();
#endif
    RegisterSemanticScorers();
    embedding_cache_ = std::make_unique<StoreEmbeddingCache>(store_.get());
    pair_finder_ = std::make_unique<StorePairFinder>(store_.get());
    rubrics_ = std::make_unique<RubricRegistry>(
        store_.get(), ScorerEnv{&config_, embedding_cache_.get(), pair_finder_.get()});
    if (absl::Status s = rubrics_->Load(config_.rubrics()); !s.ok()) return s;
    scoring_ = std::make_unique<ScoringEngine>(store_.get(), rubrics_.get(), &tail_, &metrics_,
                                               config_);
    scoring_->Start();
    score_exporter_ = std::make_unique<otlp::ScoreExporter>(config_.otlp(), &tail_, &metrics_,
                                                            internal::NewCurlHttpClient());

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
    gate_ = std::make_unique<IngestGate>(auth_.get(), committer_.get());
    ingest_service_ = std::make_unique<IngestService>(
        gate_.get(), &metrics_,
        ingest.has_max_pending_batches() ? ingest.max_pending_batches() : 64);
    ingest_entry_ = std::make_unique<IngestEntry>(gate_.get());
    otlp_ = std::make_unique<otlp::OtlpReceiver>(ingest_entry_.get(), &metrics_);
    const bool otlp_in = !config_.otlp().has_receiver_enabled() || config_.otlp().receiver_enabled();
    if (otlp_in) trace_service_ = std::make_unique<otlp::TraceService>(otlp_.get());
    if (fleet_settings_.any()) {
      auto fleet = fleet::Fleet::Start(
          fleet_settings_,
          {store_.get(), gate_.get(), rubrics_.get(), config_.scoring(), &tail_, &metrics_,
           config_.scoring().has_workers() ? config_.scoring().workers() : 2});
      if (!fleet.ok()) return fleet.status();
      fleet_ = std::move(*fleet);
    }
    engine_ = std::make_unique<QueryEngine>(store_.get());
    engine_->SetLiveScoring([this](const QueryEngine::AppMatcher& apps,
                                   v1::CompletenessResponse* out) {
      if (scoring_) scoring_->FillCompleteness(apps, out);
    });
    auto alerting = Alerting::Create(store_.get(), config_.alerting(), &metrics_);
    if (!alerting.ok()) return alerting.status();
    alerting_ = std::move(*alerting);
    alerting_->Start();
    query_handlers_ = std::make_unique<QueryHandlers>(auth_.get(), engine_.get(), rubrics_.get(),
                                                      alerting_.get(), audit_.get());
    query_service_ = std::make_unique<QueryService>(query_handlers_.get(), &tail_);
    admin_handlers_ = std::make_unique<AdminHandlers>(auth_.get(), keys_.get(), audit_.get());
    admin_service_ = std::make_unique<AdminService>(admin_handlers_.get());

    health_ = std::make_unique<HealthService>(std::set<std::string>{
        "llmtap.v1.IngestService", "llmtap.v1.QueryService", "llmtap.v1.AdminService"});
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options.grpc_addr, GrpcServerCredentials(config_.security().tls()),
                             &grpc_port_);
    builder.SetMaxReceiveMessageSize(v1::LIMIT_BATCH_BYTES);
    builder.RegisterService(ingest_service_.get());
    builder.RegisterService(query_service_.get());
    builder.RegisterService(admin_service_.get());
    builder.RegisterService(health_.get());
    if (trace_service_) builder.RegisterService(trace_service_.get());
    grpc_server_ = builder.BuildAndStart();
    if (!grpc_server_ || grpc_port_ == 0) {
      return absl::UnavailableError(Cat("cannot listen on ", options.grpc_addr));
    }
    http_ = std::make_unique<HttpServer>(query_handlers_.get(), admin_handlers_.get(), &metrics_,
                                         config_.security().tls());
    http_->ServeTail(&tail_);
    if (otlp_in) {
      http_->AddPost("/v1/traces", [this](const httplib::Request& req, httplib::Response& res) {
        otlp::ServeOtlpHttpTraces(otlp_.get(), req, res);
      });
    }
    if (absl::Status s = http_->Start(options.http_addr); !s.ok()) return s;
    if (!options.proxy_addr.empty()) {
      auto gateway = gateway::Gateway::Create(config_.gateway(), ingest_entry_.get(), &metrics_,
                                              internal::NewCurlHttpClient());
      if (!gateway.ok()) return gateway.status();
      gateway_ = std::move(*gateway);
      if (absl::Status s = gateway_->Start(options.proxy_addr); !s.ok()) return s;
      spdlog::info("llmtapd gateway: http 127.0.0.1:{}", gateway_->port());
    }
    spdlog::info("llmtapd serving{}: grpc 127.0.0.1:{}, http 127.0.0.1:{}, data {} (WAL {}, {})",
                 *tls ? " with TLS" : "", grpc_port_, http_->port(), options.data_dir,
                 config_.storage().sync_wal() ? "synced" : "not synced",
                 config_.storage().wal_compression() ? "ZSTD" : "uncompressed");
    return absl::OkStatus();
  }

  int grpc_port() const override { return grpc_port_; }
  int http_port() const override { return http_ ? http_->port() : 0; }
  int proxy_port() const override { return gateway_ ? gateway_->port() : 0; }
  void Wait() override { stopped_.WaitForNotification(); }

  void Shutdown(absl::Duration grace) override {
    absl::MutexLock lock(&shutdown_mu_);
    if (stopped_.HasBeenNotified()) return;
    spdlog::info("llmtapd shutting down");
    if (http_) http_->Stop();
    if (gateway_) gateway_->Stop();  // Records what it holds while the committer still runs.
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
    if (score_exporter_) score_exporter_->Stop(absl::Seconds(2));  // Sends what is queued.
    store_.reset();
    stopped_.Notify();
  }

  ~ServerImpl() override { Shutdown(absl::Seconds(1)); }

 private:
  v1::CollectorConfig config_;
  Metrics metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<AuditLog> audit_;
  TailHub tail_;
  std::unique_ptr<StoreEmbeddingCache> embedding_cache_;
  std::unique_ptr<StorePairFinder> pair_finder_;
  std::unique_ptr<RubricRegistry> rubrics_;
  std::unique_ptr<ScoringEngine> scoring_;
  std::unique_ptr<PriceTable> prices_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<IngestGate> gate_;
  fleet::FleetSettings fleet_settings_;
  std::unique_ptr<fleet::Fleet> fleet_;
  std::unique_ptr<IngestService> ingest_service_;
  std::unique_ptr<IngestEntry> ingest_entry_;
  std::unique_ptr<otlp::OtlpReceiver> otlp_;
  std::unique_ptr<otlp::TraceService> trace_service_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<otlp::ScoreExporter> score_exporter_;
  std::unique_ptr<QueryEngine> engine_;
  std::unique_ptr<Alerting> alerting_;
  std::unique_ptr<QueryHandlers> query_handlers_;
  std::unique_ptr<QueryService> query_service_;
  std::unique_ptr<AdminHandlers> admin_handlers_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<HealthService> health_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<HttpServer> http_;
  int grpc_port_ = 0;
  absl::Mutex shutdown_mu_;
  absl::Notification stopped_;
};

}  // namespace

absl::StatusOr<std::string> MakeBootstrapAdminKey(const std::string& data_dir,
                                                  const std::string& config_path) {
  auto config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  auto store = Store::Open(data_dir, config->storage());
  if (!store.ok()) return store.status();
  auto keys = KeyStore::Open(store->get());
  if (!keys.ok()) return keys.status();
  v1::CreateKeyRequest request;
  request.set_name("bootstrap admin");
  request.set_role(v1::ROLE_ADMIN);
  auto made = (*keys)->Create(Principal::Anonymous(), request);
  if (!made.ok()) return made.status();
  AuditLog audit(store->get());
  (void)audit.Record(Principal::Anonymous(), "CreateKey", made->key().id(),
                     "bootstrap admin key (llmtapd --new_admin_key)");
  return made->secret();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto server = std::make_unique<ServerImpl>();
  if (absl::Status s = server->Init(options); !s.ok()) return s;
  return server;
}

}  // namespace llmtap::collector
