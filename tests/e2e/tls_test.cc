// TLS end to end, with a CA and certificates the test makes itself (openssl): the SDK, gRPC
// and HTTPS clients that trust the CA reach llmtapd, a client trusting another CA fails, a
// rotated certificate is served without a restart, and with a client CA only clients that
// present a certificate it signed get in.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "collector_process.h"
#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The HTTPS client writes to connections the server refused: no SIGPIPE for this process.
const bool kNoSigpipe = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();

// A folder with CAs and certificates made by openssl.
class Pki {
 public:
  Pki() : dir_(fs::temp_directory_path() / ("llmtap-tls-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~Pki() { fs::remove_all(dir_); }

  // ca.pem / ca.key.
  void MakeCa(const std::string& name) {
    Run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name + " -keyout " +
        Path(name + ".key") + " -out " + Path(name + ".pem"));
  }
  // name.pem / name.key signed by `ca`, for 127.0.0.1 and localhost.
  void MakeCert(const std::string& name, const std::string& ca) {
    std::ofstream(Path(name + ".ext"))
        << "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n";
    Run("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " +
        Path(name + ".key") + " -out " + Path(name + ".csr"));
    Run("openssl x509 -req -days 2 -in " + Path(name + ".csr") + " -CA " + Path(ca + ".pem") +
        " -CAkey " + Path(ca + ".key") + " -CAcreateserial -extfile " + Path(name + ".ext") +
        " -out " + Path(name + ".pem"));
  }
  std::string Path(const std::string& file) const { return (dir_ / file).string(); }

 private:
  static void Run(const std::string& cmd) {
    ASSERT_EQ(std::system((cmd + " >/dev/null 2>&1").c_str()), 0) << cmd;
  }
  fs::path dir_;
};

std::string TlsConfig(const Pki& pki, bool client_ca) {
  std::string c = "security { tls { cert_file: \"" + pki.Path("server.pem") + "\" key_file: \"" +
                  pki.Path("server.key") + "\"";
  if (client_ca) c += " client_ca_file: \"" + pki.Path("ca.pem") + "\"";
  return c + " } }\n";
}

// Records `n` samples through the SDK with these TLS options; the number acked within 5 s.
uint64_t RecordThrough(const CollectorProcess& collector, const std::string& ca_file,
                       const std::string& cert = "", const std::string& key = "",
                       std::chrono::milliseconds wait = 5s) {
  ClientOptions options;
  options.collector_address = collector.grpc_address();
  options.app = "tls";
  options.tls_ca_file = ca_file;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  std::unique_ptr<Client> client;
  EXPECT_TRUE(Client::Create(options, &client).ok());
  for (int i = 0; i < 10; ++i) {
    Sample s;
    s.model = "m";
    s.prompt = "p";
    s.response = "r";
    client->Record(std::move(s));
  }
  (void)client->Flush(wait);
  const uint64_t acked = client->Stats().acked;
  client->Shutdown(100ms);
  return acked;
}

int HttpsStatus(const CollectorProcess& collector, const std::string& ca_file,
                const std::string& cert = "", const std::string& key = "") {
  std::unique_ptr<httplib::SSLClient> http =
      cert.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", collector.http_port())
                   : std::make_unique<httplib::SSLClient>("127.0.0.1", collector.http_port(),
                                                          cert, key);
  http->set_ca_cert_path(ca_file.c_str());
  http->enable_server_certificate_verification(true);
  auto res = http->Post("/api/v1/Stats", "{}", "application/json");
  return res ? res->status : -1;
}

TEST(Tls, ClientsTrustingTheCaGetInAndOthersDoNot) {
  Pki pki;
  pki.MakeCa("ca");
  pki.MakeCa("other");
  pki.MakeCert("server", "ca");
  CollectorProcess collector(TlsConfig(pki, false));
  ASSERT_TRUE(collector.Start()) << collector.log();

  EXPECT_EQ(RecordThrough(collector, pki.Path("ca.pem")), 10u);
  EXPECT_EQ(RecordThrough(collector, pki.Path("other.pem"), "", "", 1s), 0u);
  EXPECT_EQ(HttpsStatus(collector, pki.Path("ca.pem")), 200);
  EXPECT_EQ(HttpsStatus(collector, pki.Path("other.pem")), -1);
  // Plaintext gRPC does not get in either.
  auto plain = v1::QueryService::NewStub(
      grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 2s);
  v1::StatsResponse stats;
  EXPECT_FALSE(plain->Stats(&ctx, v1::StatsRequest(), &stats).ok());
}

TEST(Tls, ARotatedCertificateIsServedWithoutARestart) {
  Pki pki;
  pki.MakeCa("ca");
  pki.MakeCa("next");
  pki.MakeCert("server", "ca");
  CollectorProcess collector(TlsConfig(pki, false));
  ASSERT_TRUE(collector.Start()) << collector.log();
  ASSERT_EQ(HttpsStatus(collector, pki.Path("ca.pem")), 200);
  ASSERT_EQ(RecordThrough(collector, pki.Path("ca.pem")), 10u);

  // Rotate: the same files now hold a certificate signed by "next".
  pki.MakeCert("rotated", "next");
  fs::copy_file(pki.Path("rotated.key"), pki.Path("server.key"),
                fs::copy_options::overwrite_existing);
  fs::copy_file(pki.Path("rotated.pem"), pki.Path("server.pem"),
                fs::copy_options::overwrite_existing);
  bool https = false, grpc = false;
  for (int i = 0; i < 40 && !(https && grpc); ++i) {
    std::this_thread::sleep_for(250ms);
    https = https || HttpsStatus(collector, pki.Path("next.pem")) == 200;
    grpc = grpc || RecordThrough(collector, pki.Path("next.pem"), "", "", 500ms) == 10u;
  }
  EXPECT_TRUE(https);
  EXPECT_TRUE(grpc);
  EXPECT_EQ(HttpsStatus(collector, pki.Path("ca.pem")), -1);
}

TEST(Tls, WithAClientCaOnlyClientsWithItsCertificatesGetIn) {
  Pki pki;
  pki.MakeCa("ca");
  pki.MakeCa("other");
  pki.MakeCert("server", "ca");
  pki.MakeCert("client", "ca");
  pki.MakeCert("stranger", "other");
  CollectorProcess collector(TlsConfig(pki, true));
  ASSERT_TRUE(collector.Start()) << collector.log();
  const std::string ca = pki.Path("ca.pem");
  EXPECT_EQ(RecordThrough(collector, ca, pki.Path("client.pem"), pki.Path("client.key")), 10u);
  EXPECT_EQ(RecordThrough(collector, ca, "", "", 1s), 0u);
  EXPECT_EQ(RecordThrough(collector, ca, pki.Path("stranger.pem"), pki.Path("stranger.key"), 1s),
            0u);
  EXPECT_EQ(HttpsStatus(collector, ca, pki.Path("client.pem"), pki.Path("client.key")), 200);
  EXPECT_EQ(HttpsStatus(collector, ca), -1);
  EXPECT_EQ(HttpsStatus(collector, ca, pki.Path("stranger.pem"), pki.Path("stranger.key")), -1);
}

TEST(Tls, AMissingFileStopsTheDaemonNamingIt) {
  CollectorProcess collector("security { tls { cert_file: \"/nonexistent.pem\" key_file: \"/x\" } }");
  EXPECT_FALSE(collector.Start());
  EXPECT_NE(collector.log().find("security.tls.cert_file"), std::string::npos) << collector.log();
}

}  // namespace
}  // namespace llmtap
