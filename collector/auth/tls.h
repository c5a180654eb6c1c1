// TLS for the collector's ports, from SecurityConfig.tls: certificate and key files, and an
// optional client CA that makes clients present a certificate (mutual TLS). The files are
// watched: a rotated certificate, key or CA is served from the next handshake, checked every
// kReloadSeconds, with no restart.
#ifndef LLMTAP_COLLECTOR_AUTH_TLS_H_
#define LLMTAP_COLLECTOR_AUTH_TLS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "llmtap/v1/security.pb.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace llmtap::collector {

inline constexpr unsigned kReloadSeconds = 2;

// Whether `tls` turns TLS on (both files set). INVALID_ARGUMENT when only one of them is set
// or a file cannot be read as PEM.
absl::StatusOr<bool> CheckTls(const v1::TlsConfig& tls);

// gRPC server credentials: TLS watching the files when `tls` is on, else insecure.
std::shared_ptr<grpc::ServerCredentials> GrpcServerCredentials(const v1::TlsConfig& tls);

// Sets up an OpenSSL server context (the HTTP port's) to serve the files' current certificate
// and key and, with a client CA, to require and verify client certificates; the files are read
// again when they change. The returned object must outlive the context.
class HttpsCertificates {
 public:
  explicit HttpsCertificates(v1::TlsConfig tls);
  ~HttpsCertificates();
  bool Setup(SSL_CTX& ctx);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_TLS_H_
