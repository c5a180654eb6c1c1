"""Client.trace() and @Client.traced measure calls themselves and record failures."""

import asyncio
import time

import pytest

import llmtap


def test_trace_measures_latency_and_records_what_was_set(client, query):
    with client.trace(model="m1", prompt="hello", session_id="s", variant="A") as t:
        time.sleep(0.02)
        t.first_token()
        t.response = "world"
        t.input_tokens, t.output_tokens = 2, 1
        t.metadata["k"] = "v"
    assert t.latency_ms >= 20
    client.flush(5)

    s = query.get_sample(t.id)["sample"]
    assert s["model"] == "m1" and s["prompt"] == "hello" and s["response"] == "world"
    assert s["session_id"] == "s" and s["variant"] == "A"
    assert s["input_tokens"] == 2 and s["output_tokens"] == 1
    assert s["metadata"] == {"k": "v"}
    assert s["latency_ms"] >= 20
    assert 20 <= s["time_to_first_token_ms"] <= s["latency_ms"]
    assert s["status"] in ("CALL_STATUS_OK", "CALL_STATUS_UNSPECIFIED")
    assert abs(s["start_time_unix_nano"] / 1e9 - time.time()) < 60


def test_trace_records_a_failure_and_reraises(client, query):
    with pytest.raises(RuntimeError, match="model melted"):
        with client.trace(model="m1", prompt="boom") as t:
            raise RuntimeError("model melted")
    client.flush(5)
    s = query.get_sample(t.id)["sample"]
    assert s["status"] == "CALL_STATUS_ERROR"
    assert s["error"] == "RuntimeError: model melted"
    assert s["latency_ms"] > 0


def test_trace_rejects_unknown_fields(client):
    with pytest.raises(TypeError, match="colour"):
        client.trace(model="m", colour="red")


def test_traced_records_prompt_and_response(client, query, app):
    @client.traced(model="m2", session_id="deco")
    def ask(question: str, temperature: float = 0.0) -> str:
        time.sleep(0.01)
        return question.upper()

    assert ask("shout this") == "SHOUT THIS"
    assert ask(question="keyword prompt") == "KEYWORD PROMPT"
    assert ask.__name__ == "ask"
    client.flush(5)

    samples = [x["sample"] for x in query.list_samples(app=app, session_id="deco")["samples"]]
    assert {(s["prompt"], s["response"]) for s in samples} == {
        ("shout this", "SHOUT THIS"), ("keyword prompt", "KEYWORD PROMPT")}
    assert all(s["model"] == "m2" and s["latency_ms"] >= 10 for s in samples)


def test_traced_records_a_failure_and_reraises(client, query, app):
    @client.traced(model="m3")
    def broken(prompt: str) -> str:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        broken("x")
    client.flush(5)
    (item,) = query.list_samples(app=app)["samples"]
    s = item["sample"]
    assert s["prompt"] == "x"
    assert s["status"] == "CALL_STATUS_ERROR" and s["error"] == "ValueError: bad input"


def test_traced_supports_async_functions(client, query, app):
    @client.traced(model="m4")
    async def ask(prompt: str) -> str:
        await asyncio.sleep(0.01)
        return "async " + prompt

    assert asyncio.run(ask("hi")) == "async hi"
    client.flush(5)
    (item,) = query.list_samples(app=app)["samples"]
    assert item["sample"]["response"] == "async hi"
    assert item["sample"]["latency_ms"] >= 10
