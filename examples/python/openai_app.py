"""Instrument the official openai package in one line, then call it as usual.

    PYTHONPATH=build/python python3 examples/python/openai_app.py http://127.0.0.1:8080/v1

Any OpenAI-compatible server works (tests/judge/serve_model.py serves a small local model).
Every chat completion, streamed or not, is recorded to the collector at $LLMTAP_COLLECTOR
(default 127.0.0.1:7317) with model, tokens, latency and time to first token.
"""

import sys

import openai

import llmtap

base_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/v1"

with llmtap.Client(from_env=True, app="openai-example") as recorder:
    client = llmtap.instrument_openai(openai.OpenAI(base_url=base_url, api_key="none"),
                                      recorder)
    answer = client.chat.completions.create(
        model="any", messages=[{"role": "user", "content": "Capital of France? One word."}],
        max_tokens=16)
    print("answer:", answer.choices[0].message.content)
    stream = client.chat.completions.create(
        model="any", messages=[{"role": "user", "content": "Count to five."}], max_tokens=32,
        stream=True)
    for chunk in stream:
        if chunk.choices:
            print(chunk.choices[0].delta.content or "", end="", flush=True)
    print()
    recorder.flush(5)
    print("recorded:", recorder.stats()["acked"], "calls")
