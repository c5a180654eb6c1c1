"""Record a few LLM calls to llmtapd, then read them back.

    llmtapd --data_dir=/tmp/llmtap &                     # listens on 127.0.0.1:7317
    PYTHONPATH=build/python python3 examples/python/quickstart.py

Set LLMTAP_COLLECTOR=host:port to use another collector.
"""

import os
import uuid

import llmtap

COLLECTOR = os.environ.get("LLMTAP_COLLECTOR", "127.0.0.1:7317")
SESSION = uuid.uuid4().hex  # So that we list back only what this run recorded.


def fake_model(question: str) -> str:
    return f"You asked: {question!r}. The answer is 42."


with llmtap.Client(COLLECTOR, app="quickstart") as client:
    # 1. A measured call: the trace times the block and records it on exit.
    with client.trace(model="toy-1", prompt="What is 6 x 7?", session_id=SESSION) as t:
        t.response = fake_model("What is 6 x 7?")
        t.input_tokens, t.output_tokens = 7, 12
        t.metadata["tenant"] = "acme"

    # 2. A decorated function: the first argument is the prompt, the result the response.
    @client.traced(model="toy-1", session_id=SESSION)
    def ask(question: str) -> str:
        return fake_model(question)

    ask("And 2 + 2?")

    # 3. A call you measured yourself, including a failure.
    client.record(model="toy-2", prompt="Summarize this", session_id=SESSION,
                  latency_ms=1200.0, error="timeout after 1.2 s")

    client.flush(timeout_s=5)
    print("client stats:", client.stats())

query = llmtap.QueryClient(COLLECTOR)
page = query.list_samples(app="quickstart", session_id=SESSION)
for item in page["samples"]:
    s = item["sample"]
    print(f"{s['id']}  {s['model']:6}  {s['latency_ms']:8.2f} ms  {s['status']:17}  "
          f"{s['prompt']!r} -> {s['response'] or s['error']!r}")
print(f"{len(page['samples'])} samples")
