// Principal: who is calling, as established by the Authenticator from the request's API key.
// A request carries its principal to the query engine and the ingest gate, which take its
// apps as part of the filter; handlers never check apps themselves.
//
//   if (!principal.Allows(v1::ROLE_READ)) return PermissionDenied(...);
//   filter = principal.Scope(filter);   // see query/scope.h
//
// Immutable and cheap to copy.
#ifndef LLMTAP_COLLECTOR_AUTH_PRINCIPAL_H_
#define LLMTAP_COLLECTOR_AUTH_PRINCIPAL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llmtap/v1/security.pb.h"

namespace llmtap::collector {

class Principal {
 public:
  // No keys are configured: every app, every role. The server allows this on loopback only
  // (or with --insecure).
  static Principal Anonymous();
  // The collector's own forwarding (fleet mode's store role writing what edges sent through
  // Kafka, which is the trust boundary there): every app, ROLE_INGEST, valid whatever keys
  // exist. Never the result of authenticating a request.
  static Principal Internal(std::string name);
  // A key's principal.
  static Principal ForKey(std::string key_id, v1::Role role, std::vector<std::string> apps);

  // "" for Anonymous.
  const std::string& key_id() const { return key_id_; }
  v1::Role role() const { return role_; }
  // Sorted; empty when all_apps().
  const std::vector<std::string>& apps() const { return apps_; }
  bool all_apps() const { return apps_.empty(); }
  bool internal() const { return internal_; }

  // Admin holds every role; read and ingest only their own.
  bool Allows(v1::Role needed) const;
  bool CanAccessApp(std::string_view app) const;
  // Whether every one of `apps` is in scope; false for an empty list unless all_apps() (an
  // empty app list on a rubric or rule means "every app").
  bool CoversApps(const std::vector<std::string>& apps) const;
  // For logs and audit: "key 0123abcd... (ROLE_READ)" or "anonymous".
  std::string Describe() const;

 private:
  Principal() = default;
  std::string key_id_;
  v1::Role role_ = v1::ROLE_ADMIN;
  bool internal_ = false;
  std::vector<std::string> apps_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_PRINCIPAL_H_
