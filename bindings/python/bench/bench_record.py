#!/usr/bin/env python3
"""What recording an LLM call costs the calling Python thread: llmtap against OpenTelemetry.

    PYTHONPATH=build/python python3 bindings/python/bench/bench_record.py [--n 100000]

Starts a real llmtapd (build/bin, or $LLMTAP_LLMTAPD) on free loopback ports and a local OTLP
sink (a child process that counts the spans it receives), then on the main thread times, call
by call:

- ``Client.record(...)`` with a ~130-byte prompt and a ~190-byte response, tokens and latency;
- ``with client.trace(...) as t: t.response = ...`` (the same sample, measured by the trace);
- an OpenTelemetry SDK span with the same data as attributes, through a BatchSpanProcessor
  (its default queue of 2,048 spans) and the OTLP/HTTP exporter to the sink.

Each figure is the p50 / p90 / p99 of per-call times minus the timer's own cost. Then it
checks delivery: llmtap must have dropped nothing within its buffer budget (every sample
acked, and stored by the collector), while the OTel run prints how many spans its full queue
dropped. Exit status 1 when llmtap dropped or lost anything or record p50 >= 2 us or trace p50
>= 4 us (the targets), else 0.

Options: --n calls per run (default 100,000), --otel-n (default the same).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Callable, Dict, List

import llmtap
from llmtap.local import LocalCollector

PROMPT = "Summarise the customer's last three messages about the delayed refund in one line. " * 2
RESPONSE = ("The customer has waited 12 days for a refund of order 4471, was promised it twice, "
            "and now asks for a manager; tone is frustrated but polite. ") * 2
RECORD_TARGET_NS = 2000
TRACE_TARGET_NS = 4000

SINK = textwrap.dedent("""
    import http.server, sys, threading
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest, ExportTraceServiceResponse)
    spans = 0
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            global spans
            body = self.rfile.read(int(self.headers["Content-Length"]))
            req = ExportTraceServiceRequest.FromString(body)
            spans += sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)
            out = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        def do_GET(self):
            out = str(spans).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        def log_message(self, *a):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()
""")


def percentiles(samples: List[int], overhead: int) -> Dict[str, float]:
    samples.sort()
    at = lambda q: max(0, samples[min(len(samples) - 1, int(q * len(samples)))] - overhead)
    return {"p50": at(0.50), "p90": at(0.90), "p99": at(0.99)}


def time_calls(n: int, call: Callable[[int], None]) -> List[int]:
    clock = time.perf_counter_ns
    out = [0] * n
    for i in range(n):
        t0 = clock()
        call(i)
        out[i] = clock() - t0
    return out


def timer_overhead() -> int:
    return percentiles(time_calls(200_000, lambda i: None), 0)["p50"]  # type: ignore[return-value]


def bench_llmtap(address: str, n: int, overhead: int) -> Dict[str, object]:
    app = f"bench-{os.getpid()}"
    # A budget that holds the whole run: the check is that nothing within it is dropped.
    client = llmtap.Client(address, app=app, max_buffer_bytes=512 << 20)
    rec = time_calls(n, lambda i: client.record(
        model="gpt-4o-mini", prompt=PROMPT, response=RESPONSE, latency_ms=412.0,
        input_tokens=52, output_tokens=61, metadata={"tenant": "acme"}))

    def one_trace(i: int) -> None:
        with client.trace(model="gpt-4o-mini", prompt=PROMPT) as t:
            t.response = RESPONSE
            t.input_tokens = 52
            t.output_tokens = 61

    tr = time_calls(n, one_trace)
    client.flush(timeout_s=120)
    stats = client.stats()
    client.shutdown(10)
    stored = llmtap.QueryClient(address, timeout_s=60).stats({"app": app})["samples"]
    return {"record": percentiles(rec, overhead), "trace": percentiles(tr, overhead),
            "recorded": stats["recorded"], "dropped": stats["dropped"],
            "acked": stats["acked"], "stored": stored}


def bench_otel(n: int, overhead: int) -> Dict[str, object]:
    import logging

    # A full queue logs one warning per dropped span; the count is what matters here.
    logging.getLogger("opentelemetry").setLevel(logging.ERROR)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    sink = subprocess.Popen([sys.executable, "-c", SINK], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None
        port = int(sink.stdout.readline())
        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=f"http://127.0.0.1:{port}/v1/traces")))
        tracer = provider.get_tracer("bench")

        def one_span(i: int) -> None:
            with tracer.start_as_current_span("chat gpt-4o-mini") as span:
                span.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.prompt": PROMPT, "gen_ai.completion": RESPONSE,
                    "gen_ai.usage.input_tokens": 52, "gen_ai.usage.output_tokens": 61,
                    "tenant": "acme"})

        spans = time_calls(n, one_span)
        provider.force_flush(60_000)
        provider.shutdown()
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count", timeout=10) as r:
            received = int(r.read())
        return {"span": percentiles(spans, overhead), "sent": n, "received": received,
                "dropped": n - received}
    finally:
        if sink.stdin:
            sink.stdin.close()
        sink.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--otel-n", type=int, default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    overhead = timer_overhead()
    with tempfile.TemporaryDirectory(prefix="llmtap-bench-") as tmp:
        with LocalCollector(pathlib.Path(tmp)) as collector:
            ours = bench_llmtap(collector.address, args.n, overhead)
    otel = bench_otel(args.otel_n or args.n, overhead)
    rec, tr, span = ours["record"], ours["trace"], otel["span"]  # type: ignore[index]
    if args.json:
        print(json.dumps({"timer_overhead_ns": overhead, "llmtap": ours, "otel": otel}))
    else:
        us = lambda ns: f"{ns / 1000:6.2f}"
        print(f"per call on the caller's thread, us (timer overhead {overhead} ns subtracted)")
        print(f"{'':28} {'p50':>6} {'p90':>6} {'p99':>6}")
        for name, p in (("llmtap Client.record", rec), ("llmtap Client.trace", tr),
                        ("OTel span (Batch + OTLP)", span)):
            print(f"{name:28} {us(p['p50'])} {us(p['p90'])} {us(p['p99'])}")  # type: ignore[index]
        print(f"OTel span / record: {span['p50'] / max(rec['p50'], 1):.1f}x   "  # type: ignore[index]
              f"OTel span / trace: {span['p50'] / max(tr['p50'], 1):.1f}x")  # type: ignore[index]
        print(f"llmtap: {ours['recorded']} recorded, {ours['dropped']} dropped, "
              f"{ours['acked']} acked, {ours['stored']} stored by llmtapd")
        print(f"OTel:   {otel['sent']} spans ended, {otel['received']} received by the sink, "
              f"{otel['dropped']} dropped (BatchSpanProcessor queue full)")
    ok = (ours["dropped"] == 0 and ours["acked"] == ours["recorded"] == ours["stored"]
          and rec["p50"] < RECORD_TARGET_NS and tr["p50"] < TRACE_TARGET_NS)  # type: ignore[index]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
