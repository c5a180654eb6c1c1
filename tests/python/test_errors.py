"""Failures raise llmtap.Error subclasses carrying the status code."""

import socket

import pytest

import llmtap


def test_unknown_id_is_not_found(query):
    with pytest.raises(llmtap.QueryError) as e:
        query.get_sample(llmtap.new_sample_id())
    assert e.value.code == "NOT_FOUND"
    assert isinstance(e.value, llmtap.Error)


def test_malformed_id_is_invalid_argument(query):
    with pytest.raises(llmtap.QueryError) as e:
        query.get_sample("not-a-sample-id")
    assert e.value.code == "INVALID_ARGUMENT"
    assert e.value.message
    assert str(e.value).startswith("INVALID_ARGUMENT: ")


def test_generic_call_errors(query):
    with pytest.raises(llmtap.QueryError) as e:
        query.call("NoSuchMethod")
    assert e.value.code == "UNIMPLEMENTED"
    with pytest.raises(llmtap.QueryError) as e:
        query.call("Tail")  # Streams: not callable this way.
    assert e.value.code == "UNIMPLEMENTED"
    with pytest.raises(llmtap.QueryError) as e:
        query.call("ListSamples", "{not json")
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(llmtap.QueryError) as e:
        query.call("ListSamples", {"no_such_field": 1})
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(llmtap.QueryError) as e:
        query.call("GetSample", {"id": "zz"})
    assert e.value.code == "INVALID_ARGUMENT"


def test_an_unreachable_collector_is_unavailable():
    with socket.socket() as s:  # A port nobody listens on.
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    q = llmtap.QueryClient(f"127.0.0.1:{port}", timeout_s=2)
    with pytest.raises(llmtap.QueryError) as e:
        q.list_samples()
    assert e.value.code in ("UNAVAILABLE", "DEADLINE_EXCEEDED")


@pytest.mark.parametrize(
    "options",
    [
        {"sample_rate": 2.0},
        {"sample_rate": -0.1},
        {"collector_address": ""},
        {"max_batch_samples": 0},
        {"max_inflight_batches": 0},
        {"redaction": llmtap.Redaction(custom_patterns=["(unclosed"])},
    ],
)
def test_invalid_options_raise(options):
    with pytest.raises(llmtap.InvalidArgumentError) as e:
        llmtap.Client(**options)
    assert isinstance(e.value, ValueError)
    assert e.value.code == "INVALID_ARGUMENT"


def test_a_malformed_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv("LLMTAP_SAMPLE_RATE", "lots")
    with pytest.raises(llmtap.InvalidArgumentError, match="LLMTAP_SAMPLE_RATE"):
        llmtap.Client(from_env=True)


def test_flush_times_out_without_a_collector():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = llmtap.Client(f"127.0.0.1:{port}")
    c.record(prompt="nowhere to go")
    with pytest.raises(llmtap.DeadlineExceededError) as e:
        c.flush(0.2)
    assert isinstance(e.value, TimeoutError)
    assert e.value.code == "DEADLINE_EXCEEDED"
    assert c.stats()["pending"] == 1
    with pytest.raises(TimeoutError):
        c.shutdown(0.1)


def test_a_negative_timeout_is_rejected(client):
    with pytest.raises(ValueError):
        client.flush(-1)


def test_flush_releases_the_gil_while_it_waits():
    import threading
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = llmtap.Client(f"127.0.0.1:{port}")
    c.record(prompt="stuck")
    started = threading.Event()

    def flush() -> None:
        started.set()
        with pytest.raises(TimeoutError):
            c.flush(0.5)

    waiter = threading.Thread(target=flush)
    waiter.start()
    started.wait()
    # Python keeps running while flush() waits: no pause anywhere near its 0.5 s.
    longest_pause, last = 0.0, time.monotonic()
    while waiter.is_alive():
        now = time.monotonic()
        longest_pause, last = max(longest_pause, now - last), now
    waiter.join()
    assert longest_pause < 0.25


def test_security_options_are_taken_and_checked(collector, app, tmp_path):
    # No keys configured on this collector: a key is sent and ignored.
    with llmtap.Client(collector.grpc_address, app=app, api_key="k-123", linger=0.005) as c:
        c.record(prompt="with a key")
        c.flush(5)
        assert c.stats()["acked"] == 1
    q = llmtap.QueryClient(collector.grpc_address, api_key="k-123")
    assert q.list_samples(app=app)["samples"][0]["sample"]["prompt"] == "with a key"
    with pytest.raises(llmtap.InvalidArgumentError, match="missing.pem"):
        llmtap.Client(collector.grpc_address, ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(OSError):
        llmtap.QueryClient(collector.grpc_address, ca_file=str(tmp_path / "missing.pem"))
