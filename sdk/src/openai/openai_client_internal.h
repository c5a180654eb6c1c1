// The seam behind OpenAIClient::Create: the same client over any HttpClient (tests pass a
// fake or a fault-injecting one).
#ifndef LLMTAP_SDK_SRC_OPENAI_OPENAI_CLIENT_INTERNAL_H_
#define LLMTAP_SDK_SRC_OPENAI_OPENAI_CLIENT_INTERNAL_H_

#include <memory>

#include "llmtap/openai.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::internal {

Status CreateOpenAIClient(const OpenAIOptions& options, Client* recorder,
                          std::unique_ptr<HttpClient> http, std::unique_ptr<OpenAIClient>* client);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_OPENAI_OPENAI_CLIENT_INTERNAL_H_
