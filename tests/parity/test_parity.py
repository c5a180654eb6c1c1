"""Parity of the C++ text metrics (llmtap-textmetrics) with the Python reference packages
on the deterministic corpus of make_corpus.py: every metric within 1e-9 on every pair."""
import json
import math
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import make_corpus  # noqa: E402
import squad_v11  # noqa: E402

TOLERANCE = 1e-9
MIN_PAIRS = 1000


@pytest.fixture(scope="module")
def pairs():
    corpus = make_corpus.make_pairs(make_corpus.DEFAULT_PAIRS, make_corpus.DEFAULT_SEED)
    assert len(corpus) >= MIN_PAIRS
    return corpus


@pytest.fixture(scope="module")
def cpp_scores(pairs, helper_binary, tmp_path_factory):
    path = tmp_path_factory.mktemp("parity") / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i, (prediction, reference) in enumerate(pairs):
            f.write(json.dumps({"id": i, "prediction": prediction, "reference": reference}))
            f.write("\n")
    run = subprocess.run([str(helper_binary), str(path)], capture_output=True, check=True)
    rows = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == list(range(len(pairs)))
    return rows


def compare(name, expected, actual, pairs, max_diffs):
    diffs = [abs(e - a) if not (math.isnan(e) or math.isnan(a)) else math.inf
             for e, a in zip(expected, actual)]
    worst = max(range(len(diffs)), key=diffs.__getitem__)
    max_diffs[name] = (diffs[worst], len(diffs))
    print(f"{name}: max |diff| = {diffs[worst]:.3e} over {len(diffs)} pairs")
    assert diffs[worst] <= TOLERANCE, (
        f"{name} differs by {diffs[worst]} on pair {worst} {pairs[worst]!r}: "
        f"python {expected[worst]!r}, c++ {actual[worst]!r}")


@pytest.mark.parametrize("use_stemmer", [False, True], ids=["plain", "stemmer"])
def test_rouge_l_matches_rouge_score(pairs, cpp_scores, max_diffs, use_stemmer):
    from rouge_score import rouge_scorer
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=use_stemmer)
    expected = [scorer.score(ref, pred)["rougeL"].fmeasure for pred, ref in pairs]
    key = "rougeL_stem" if use_stemmer else "rougeL"
    compare(key, expected, [row[key] for row in cpp_scores], pairs, max_diffs)


def test_sentence_bleu_matches_sacrebleu(pairs, cpp_scores, max_diffs):
    import sacrebleu
    assert sacrebleu.__version__ == "2.4.3"
    expected = [sacrebleu.sentence_bleu(pred, [ref]).score / 100 for pred, ref in pairs]
    compare("bleu", expected, [row["bleu"] for row in cpp_scores], pairs, max_diffs)


def test_token_f1_matches_squad_v11(pairs, cpp_scores, max_diffs):
    expected = [float(squad_v11.f1_score(pred, ref)) for pred, ref in pairs]
    compare("token_f1", expected, [row["token_f1"] for row in cpp_scores], pairs, max_diffs)


def test_exact_match_matches_squad_v11(pairs, cpp_scores, max_diffs):
    expected = [float(squad_v11.exact_match_score(pred, ref)) for pred, ref in pairs]
    compare("exact_match", expected, [row["exact_match"] for row in cpp_scores], pairs,
            max_diffs)


def test_tokenizers_match_on_fuzzed_lines(helper_binary, tmp_path, max_diffs):
    """13a tokenization and SQuAD normalisation, compared as strings on random short lines."""
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    lines = make_corpus.fuzz_lines(make_corpus.DEFAULT_SEED)
    path = tmp_path / "fuzz.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(0, len(lines) - 1, 2):
            f.write(json.dumps({"id": i, "prediction": lines[i], "reference": lines[i + 1]}))
            f.write("\n")
    run = subprocess.run([str(helper_binary), "--tokenize", str(path)], capture_output=True,
                         check=True)
    rows = [json.loads(line) for line in run.stdout.decode().splitlines()]
    tokenizer = Tokenizer13a()
    mismatches = []
    for row in rows:
        for k, text in enumerate((lines[row["id"]], lines[row["id"] + 1])):
            if row["tok13a"][k] != tokenizer(text):
                mismatches.append(("13a", text, tokenizer(text), row["tok13a"][k]))
            if row["squad"][k] != squad_v11.normalize_answer(text):
                mismatches.append(("squad", text, squad_v11.normalize_answer(text),
                                   row["squad"][k]))
    max_diffs["fuzz_tokenize"] = (float(len(mismatches)), 2 * len(rows))
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:5]}"


def test_porter_stemmer_matches_nltk(helper_binary, max_diffs):
    from nltk.stem import porter
    words = make_corpus.stem_words(make_corpus.DEFAULT_SEED)
    stemmer = porter.PorterStemmer()
    expected = [stemmer.stem(w) for w in words]
    run = subprocess.run([str(helper_binary), "--stem"], input="".join(w + "\n" for w in words),
                         capture_output=True, check=True, text=True)
    actual = run.stdout.split("\n")[:-1]
    assert len(actual) == len(words)
    mismatches = [(w, e, a) for w, e, a in zip(words, expected, actual) if e != a]
    max_diffs["porter_stem"] = (float(len(mismatches)), len(words))
    assert not mismatches, f"{len(mismatches)} stems differ, e.g. {mismatches[:10]}"
