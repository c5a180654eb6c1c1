#!/usr/bin/env python3
"""Times the Python reference packages against the C++ text metrics on the parity corpus.

Not run by the test suite. Builds the corpus with make_corpus.py, scores it once per repeat
with rouge-score / sacrebleu / the SQuAD v1.1 functions, runs bench_scorers (Google
Benchmark, one repetition per repeat) on the same pairs, and prints per metric the best time
per corpus pass on each side and their ratio.
It does this for the whole corpus and for its short pairs (both sides <= --short-words
words), since ROUGE-L's quadratic cost makes the long pairs dominate.

    python3 tests/parity/speed.py [--bench build/bin/bench_scorers] [--repeat 3]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_corpus  # noqa: E402
import squad_v11  # noqa: E402

from rouge_score import rouge_scorer  # noqa: E402
import sacrebleu  # noqa: E402
from sacrebleu.metrics.bleu import BLEU  # noqa: E402
from sacrebleu.tokenizers import tokenizer_13a, tokenizer_re  # noqa: E402

TARGET_RATIO = 50.0
# The target is set against the reference packages (rouge-score and sacrebleu). Token F1 and
# exact match are timed against the SQuAD v1.1 evaluation functions, for information.
TARGET_METRICS = ("BM_RougeL", "BM_RougeLStem", "BM_SentenceBleu")


def clear_sacrebleu_caches():
    """sacrebleu memoises tokenized lines; clear so repeats measure real work."""
    tokenizer_13a.Tokenizer13a.__call__.cache_clear()
    tokenizer_re.TokenizerRegexp.__call__.cache_clear()


def python_metrics():
    plain = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    stem = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    reused_bleu = BLEU(effective_order=True)
    return {
        "BM_RougeL": lambda p, r: plain.score(r, p)["rougeL"].fmeasure,
        "BM_RougeLStem": lambda p, r: stem.score(r, p)["rougeL"].fmeasure,
        "BM_SentenceBleu": lambda p, r: sacrebleu.sentence_bleu(p, [r]).score,
        "BM_SentenceBleu (BLEU object reused)": lambda p, r: reused_bleu.sentence_score(
            p, [r]).score,
        "BM_TokenF1": squad_v11.f1_score,
        "BM_ExactMatch": squad_v11.exact_match_score,
    }


def time_python(pairs, repeat):
    out = {}
    for name, fn in python_metrics().items():
        best = float("inf")
        for _ in range(repeat):
            clear_sacrebleu_caches()
            start = time.process_time()
            for prediction, reference in pairs:
                fn(prediction, reference)
            best = min(best, time.process_time() - start)
        out[name] = best
    return out


def time_cpp(bench, pairs, repeat):
    with tempfile.TemporaryDirectory() as tmp:
        corpus = pathlib.Path(tmp) / "corpus.jsonl"
        with open(corpus, "w", encoding="utf-8") as f:
            for i, (prediction, reference) in enumerate(pairs):
                f.write(json.dumps({"id": i, "prediction": prediction, "reference": reference}))
                f.write("\n")
        run = subprocess.run(
            [str(bench), f"--corpus={corpus}", "--benchmark_format=json",
             "--benchmark_min_time=0.2", f"--benchmark_repetitions={repeat}"],
            capture_output=True, check=True, text=True)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    # The best repetition, as for Python: both sides are timed the same way, so noise from
    # other processes on the machine does not count against one side only.
    best = {}
    for b in json.loads(run.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        seconds = b["cpu_time"] * scale[b["time_unit"]]
        name = b["run_name"]
        best[name] = min(best.get(name, float("inf")), seconds)
    return best


def report(title, pairs, bench, repeat):
    py = time_python(pairs, repeat)
    cpp = time_cpp(bench, pairs, repeat)
    print(f"\n{title}: {len(pairs)} pairs, CPU seconds per pass over the corpus")
    print(f"{'metric':<38}{'python':>11}{'c++':>11}{'ratio':>10}")
    worst = float("inf")
    for name, seconds in py.items():
        cpp_seconds = cpp[name.split(" ")[0]]
        ratio = seconds / cpp_seconds
        targeted = name.split(" ")[0] in TARGET_METRICS
        if targeted:
            worst = min(worst, ratio)
        note = "" if targeted else "  (no target)"
        print(f"{name:<38}{seconds:>11.4f}{cpp_seconds:>11.6f}{ratio:>9.0f}x{note}")
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", default=str(HERE.parents[1] / "build" / "bin" / "bench_scorers"))
    parser.add_argument("--pairs", type=int, default=make_corpus.DEFAULT_PAIRS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--short-words", type=int, default=100)
    args = parser.parse_args()

    pairs = make_corpus.make_pairs(args.pairs, make_corpus.DEFAULT_SEED)
    short = [p for p in pairs
             if len(p[0].split()) <= args.short_words and len(p[1].split()) <= args.short_words]
    worst = min(report("whole corpus", pairs, args.bench, args.repeat),
                report(f"short pairs (<= {args.short_words} words)", short, args.bench,
                       args.repeat))
    verdict = "meets" if worst >= TARGET_RATIO else "MISSES"
    print(f"\nslowest ratio against rouge-score / sacrebleu {worst:.0f}x: "
          f"{verdict} the {TARGET_RATIO:.0f}x target")
    return 0 if worst >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
