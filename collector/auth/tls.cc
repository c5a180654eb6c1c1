#include "collector/auth/tls.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <mutex>

#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

namespace fs = std::filesystem;

int64_t MtimeOf(const std::string& path) {
  std::error_code ec;
  auto t = fs::last_write_time(path, ec);
  return ec ? -1 : static_cast<int64_t>(t.time_since_epoch().count());
}

template <typename T, typename Read>
T* ReadPem(const std::string& path, Read read) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  T* out = read(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return out;
}

}  // namespace

absl::StatusOr<bool> CheckTls(const v1::TlsConfig& tls) {
  if (tls.cert_file().empty() && tls.key_file().empty()) {
    if (!tls.client_ca_file().empty()) {
      return absl::InvalidArgumentError("security.tls.client_ca_file: needs cert_file and key_file");
    }
    return false;
  }
  if (tls.cert_file().empty() || tls.key_file().empty()) {
    return absl::InvalidArgumentError("security.tls: set both cert_file and key_file");
  }
  X509* cert = ReadPem<X509>(tls.cert_file(), PEM_read_X509);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(Cat("security.tls.cert_file: cannot read a PEM certificate from ", tls.cert_file()));
  }
  X509_free(cert);
  EVP_PKEY* key = ReadPem<EVP_PKEY>(tls.key_file(), PEM_read_PrivateKey);
  if (key == nullptr) {
    return absl::InvalidArgumentError(Cat("security.tls.key_file: cannot read a PEM private key from ", tls.key_file()));
  }
  EVP_PKEY_free(key);
  if (!tls.client_ca_file().empty()) {
    X509* ca = ReadPem<X509>(tls.client_ca_file(), PEM_read_X509);
    if (ca == nullptr) {
      return absl::InvalidArgumentError(Cat("security.tls.client_ca_file: cannot read a PEM certificate from ", tls.client_ca_file()));
    }
    X509_free(ca);
  }
  return true;
}

std::shared_ptr<grpc::ServerCredentials> GrpcServerCredentials(const v1::TlsConfig& tls) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file(), tls.cert_file(), tls.client_ca_file(), kReloadSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file().empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

// The files' current contents, read again when a file's modification time changes (looked at
// no more than every kReloadSeconds).
struct HttpsCertificates::State {
  v1::TlsConfig tls;
  std::mutex mu;
  int64_t checked_s = 0;
  int64_t cert_mtime = -2, key_mtime = -2, ca_mtime = -2;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  EVP_PKEY* key = nullptr;
  X509_STORE* ca = nullptr;

  ~State() {
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_STORE_free(ca);
  }

  void MaybeReload() {
    const int64_t now = time(nullptr);
    if (cert != nullptr && now - checked_s < static_cast<int64_t>(kReloadSeconds)) return;
    checked_s = now;
    const int64_t cm = MtimeOf(tls.cert_file()), km = MtimeOf(tls.key_file());
    if (cm != cert_mtime || km != key_mtime) {
      FILE* f = std::fopen(tls.cert_file().c_str(), "r");
      X509* c = f ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
      STACK_OF(X509)* rest = sk_X509_new_null();
      while (f && c) {
        X509* more = PEM_read_X509(f, nullptr, nullptr, nullptr);
        if (more == nullptr) break;
        sk_X509_push(rest, more);
      }
      if (f) std::fclose(f);
      EVP_PKEY* k = ReadPem<EVP_PKEY>(tls.key_file(), PEM_read_PrivateKey);
      if (c != nullptr && k != nullptr) {
        X509_free(cert);
        sk_X509_pop_free(chain, X509_free);
        EVP_PKEY_free(key);
        cert = c, chain = rest, key = k;
        cert_mtime = cm, key_mtime = km;
        spdlog::info("tls: serving the certificate of {}", tls.cert_file());
      } else {  // Mid-rotation, say: keep serving the last good pair.
        X509_free(c);
        sk_X509_pop_free(rest, X509_free);
        EVP_PKEY_free(k);
        spdlog::warn("tls: cannot read {} / {}; keeping the previous certificate",
                     tls.cert_file(), tls.key_file());
      }
    }
    if (!tls.client_ca_file().empty()) {
      const int64_t am = MtimeOf(tls.client_ca_file());
      if (am != ca_mtime) {
        X509_STORE* store = X509_STORE_new();
        if (X509_STORE_load_file(store, tls.client_ca_file().c_str()) == 1) {
          X509_STORE_free(ca);
          ca = store;
          ca_mtime = am;
        } else {
          X509_STORE_free(store);
          spdlog::warn("tls: cannot read client CA {}; keeping the previous one",
                       tls.client_ca_file());
        }
      }
    }
  }

  // SSL_CTX_set_cert_cb: runs at each handshake, before the certificate is sent.
  static int OnHandshake(SSL* ssl, void* arg) {
    auto* self = static_cast<State*>(arg);
    std::lock_guard<std::mutex> lock(self->mu);
    self->MaybeReload();
    if (self->cert == nullptr || self->key == nullptr) return 0;
    if (SSL_use_certificate(ssl, self->cert) != 1 || SSL_use_PrivateKey(ssl, self->key) != 1) {
      return 0;
    }
    SSL_set1_chain(ssl, self->chain);
    if (self->ca != nullptr) SSL_set1_verify_cert_store(ssl, self->ca);
    return 1;
  }
};

HttpsCertificates::HttpsCertificates(v1::TlsConfig tls) : state_(std::make_unique<State>()) {
  state_->tls = std::move(tls);
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->MaybeReload();
}

HttpsCertificates::~HttpsCertificates() = default;

bool HttpsCertificates::Setup(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_cert_cb(&ctx, &State::OnHandshake, state_.get());
  if (!state_->tls.client_ca_file().empty()) {
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return true;
}

}  // namespace llmtap::collector
