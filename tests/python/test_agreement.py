"""The Agreement RPC (a rubric against human labels) checked against SciPy on live data."""

import random
import time

from scipy import stats

import llmtap


def _wait_scored(query, app, rubric, n, timeout_s=30.0):
    deadline = time.monotonic() + timeout_s
    while True:
        got = query.call("Completeness", {"filter": {"app": app}})
        scored = {r["rubric"]: int(r.get("scored", 0)) for r in got.get("rubrics", [])}
        if scored.get(rubric, 0) >= n:
            return
        assert time.monotonic() < deadline, f"{rubric} scored {scored.get(rubric, 0)} of {n}"
        time.sleep(0.05)


def test_kappa_spearman_and_confusion_match_scipy(client, query, app):
    rubric = f"f1-{app}"
    query.call("UpsertRubric", {"rubric": {
        "name": rubric, "kind": "RUBRIC_KIND_TOKEN_F1", "requires_reference": True,
        "apps": [app], "threshold": 0.5}})
    rng = random.Random(7)
    words = "alpha beta gamma delta epsilon zeta eta theta".split()
    n = 40
    for i in range(n):
        reference = " ".join(rng.sample(words, 4))
        response = " ".join(rng.sample(words, rng.randint(1, 5)))
        client.record(id=llmtap.new_sample_id(), prompt=f"q{i}", response=response,
                      reference=reference, metadata={"human": str(rng.randint(1, 5))})
    client.flush(5)
    _wait_scored(query, app, rubric, n)

    got = query.call("Agreement", {"filter": {"app": app}, "rubric": rubric,
                                   "label_key": "human", "label_threshold": 3})

    values, labels, rubric_pass, human_pass = [], [], [], []
    for item in query.iter_samples(app=app, with_scores=True):
        score = next(s for s in item["scores"] if s["rubric"] == rubric)
        label = float(item["sample"]["metadata"]["human"])
        values.append(score["value"])
        labels.append(label)
        rubric_pass.append(bool(score.get("passed", False)))
        human_pass.append(label >= 3)
    assert len(values) == n == int(got["samples"])

    rho = stats.spearmanr(values, labels)
    assert abs(got["spearman_rho"] - rho.statistic) < 1e-12
    assert abs(got["spearman_p_value"] - rho.pvalue) <= 1e-9 * max(rho.pvalue, 1e-300)

    table = stats.contingency.crosstab(rubric_pass, human_pass).count  # rows: rubric F, T
    confusion = got["confusion"]
    assert int(confusion.get("both_pass", 0)) == table[1][1]
    assert int(confusion.get("rubric_pass_human_fail", 0)) == table[1][0]
    assert int(confusion.get("rubric_fail_human_pass", 0)) == table[0][1]
    assert int(confusion.get("both_fail", 0)) == table[0][0]
    po = (table[0][0] + table[1][1]) / n
    pa, pb = table[1].sum() / n, table[:, 1].sum() / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    assert abs(got["kappa"] - (po - pe) / (1 - pe)) < 1e-12


def test_agreement_refuses_a_request_without_labels(query):
    import pytest
    with pytest.raises(Exception, match="label_key"):
        query.call("Agreement", {"rubric": "x"})
