"""Samples recorded through llmtap.Client come back from llmtap.QueryClient intact."""

import datetime as dt
import json

import llmtap


def test_every_field_survives_the_round_trip(client, query, app):
    sample_id = llmtap.new_sample_id()
    start = dt.datetime(2024, 5, 1, 12, 30, 15, 250000, tzinfo=dt.timezone.utc)
    client.record(
        id=sample_id,
        session_id="s-1",
        model="gpt-4o-mini",
        prompt_version="v3",
        variant="B",
        pair_id="pair-7",
        prompt="What is the capital of France? ✓",
        response="Paris.",
        contexts=["France is a country.", "Its capital is Paris."],
        reference="Paris",
        start_time=start,
        latency_ms=412.5,
        time_to_first_token_ms=88.25,
        input_tokens=17,
        output_tokens=3,
        metadata={"tenant": "acme", "region": "eu"},
        cost_usd=0.00125,
    )
    client.flush(5)

    got = query.get_sample(sample_id)
    s = got["sample"]
    assert got["scores"] == [] or isinstance(got["scores"], list)
    assert s["id"] == sample_id
    assert s["app"] == app
    assert s["session_id"] == "s-1"
    assert s["model"] == "gpt-4o-mini"
    assert s["prompt_version"] == "v3"
    assert s["variant"] == "B"
    assert s["pair_id"] == "pair-7"
    assert s["prompt"] == "What is the capital of France? ✓"
    assert s["response"] == "Paris."
    assert s["contexts"] == ["France is a country.", "Its capital is Paris."]
    assert s["reference"] == "Paris"
    assert s["start_time_unix_nano"] == int(start.timestamp()) * 10**9 + 250_000_000
    assert s["latency_ms"] == 412.5
    assert s["time_to_first_token_ms"] == 88.25
    assert s["input_tokens"] == 17 and isinstance(s["input_tokens"], int)
    assert s["output_tokens"] == 3
    assert s["status"] in ("CALL_STATUS_OK", "CALL_STATUS_UNSPECIFIED")
    assert s["error"] == ""
    assert s["metadata"] == {"tenant": "acme", "region": "eu"}
    assert s["cost_usd"] == 0.00125
    assert s["received_unix_nano"] > 0


def test_a_failed_call_keeps_its_error(client, query):
    sample_id = llmtap.new_sample_id()
    client.record(id=sample_id, model="m", prompt="p", error="upstream 503", latency_ms=30)
    client.flush(5)
    s = query.get_sample(sample_id)["sample"]
    assert s["status"] == "CALL_STATUS_ERROR"
    assert s["error"] == "upstream 503"


def test_the_sdk_fills_id_app_and_start_time(client, query, app):
    before = dt.datetime.now(dt.timezone.utc).timestamp()
    client.record(model="m", prompt="fill me", response="ok")
    client.flush(5)
    samples = query.list_samples(app=app)["samples"]
    assert len(samples) == 1
    s = samples[0]["sample"]
    assert len(s["id"]) == 32 and int(s["id"], 16) >= 0
    assert s["app"] == app
    assert abs(s["start_time_unix_nano"] / 1e9 - before) < 60


def test_list_samples_filters_and_pages(client, query, app):
    for i in range(5):
        client.record(model="a" if i % 2 else "b", prompt=f"p{i}", session_id="sess",
                      metadata={"i": str(i)})
    client.record(model="a", prompt="other session", session_id="other")
    client.flush(5)

    assert len(query.list_samples(app=app)["samples"]) == 6
    assert len(query.list_samples(app=app, session_id="sess")["samples"]) == 5
    assert {x["sample"]["prompt"] for x in query.list_samples(app=app, model="a")["samples"]} == {
        "p1", "p3", "other session"}
    only = query.list_samples(app=app, metadata={"i": "4"})["samples"]
    assert [x["sample"]["prompt"] for x in only] == ["p4"]

    first = query.list_samples(app=app, page_size=4)
    assert len(first["samples"]) == 4 and first["next_page_token"]
    second = query.list_samples(app=app, page_size=4, page_token=first["next_page_token"])
    assert len(second["samples"]) == 2 and second["next_page_token"] == ""
    ids = [x["sample"]["id"] for x in first["samples"] + second["samples"]]
    assert len(set(ids)) == 6
    assert [x["sample"]["id"] for x in query.iter_samples(app=app, page_size=2)] == ids


def test_list_samples_filters_by_time(client, query, app):
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    for hour in range(3):
        client.record(model="m", prompt=f"h{hour}", start_time=t0 + 3600 * hour)
    client.flush(5)
    got = query.list_samples(app=app, start=t0 + 3600,
                             end=dt.datetime(2024, 1, 1, 2, tzinfo=dt.timezone.utc))
    assert [x["sample"]["prompt"] for x in got["samples"]] == ["h1"]


def test_generic_call_reaches_list_samples(client, query, app):
    client.record(model="m", prompt="generic", input_tokens=5)
    client.flush(5)
    got = query.call("ListSamples", {"filter": {"app": app}, "page_size": 10})
    assert [x["sample"]["prompt"] for x in got["samples"]] == ["generic"]
    assert got["samples"][0]["sample"]["input_tokens"] == 5
    assert got["next_page_token"] == ""

    raw = json.loads(query.call_json("ListSamples", json.dumps({"filter": {"app": app}})))
    assert raw["samples"][0]["sample"]["prompt"] == "generic"
    # The proto3 JSON mapping writes 64-bit integers as strings.
    assert raw["samples"][0]["sample"]["input_tokens"] == "5"

    sample_id = got["samples"][0]["sample"]["id"]
    assert query.call("GetSample", {"id": sample_id})["sample"]["prompt"] == "generic"


def test_stats_count_recorded_and_acked(client):
    for i in range(10):
        client.record(model="m", prompt=f"n{i}")
    client.flush(5)
    stats = client.stats()
    assert stats["recorded"] == 10
    assert stats["acked"] == 10
    assert stats["pending"] == 0
    assert stats["dropped"] == 0 and stats["rejected"] == 0
    assert set(stats) == {"recorded", "sampled_out", "dropped", "sent", "acked", "retried",
                          "rejected", "pending", "pending_bytes", "reconnects"}


def test_sample_rate_zero_keeps_nothing(collector):
    with llmtap.Client(collector.grpc_address, sample_rate=0.0) as c:
        c.record(prompt="never sent")
        c.flush(5)
        assert c.stats()["sampled_out"] == 1
        assert c.stats()["acked"] == 0


def test_redaction_happens_before_sending(collector, query, app):
    redaction = llmtap.Redaction(emails=True, custom_patterns=[r"secret-\d+"])
    with llmtap.Client(collector.grpc_address, app=app, redaction=redaction) as c:
        sample_id = llmtap.new_sample_id()
        c.record(id=sample_id, prompt="mail bob@example.com the code secret-42", response="ok")
        c.flush(5)
    prompt = query.get_sample(sample_id)["sample"]["prompt"]
    assert "bob@example.com" not in prompt and "secret-42" not in prompt
    assert "[EMAIL]" in prompt and "[REDACTED]" in prompt


def test_options_come_from_the_environment(collector, query, app, monkeypatch):
    monkeypatch.setenv("LLMTAP_COLLECTOR", collector.grpc_address)
    monkeypatch.setenv("LLMTAP_APP", app)
    with llmtap.Client(from_env=True) as c:
        c.record(prompt="from env")
        c.flush(5)
    assert [x["sample"]["prompt"] for x in query.list_samples(app=app)["samples"]] == ["from env"]


def test_the_client_is_a_context_manager_that_shuts_down(collector):
    with llmtap.Client(collector.grpc_address) as c:
        c.record(prompt="before exit")
    assert c.stats()["acked"] == 1
    c.record(prompt="after shutdown")
    assert c.stats()["dropped"] == 1
    c.shutdown(1)  # Idempotent.
