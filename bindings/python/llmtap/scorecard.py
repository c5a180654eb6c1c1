"""The scorecard of an eval or gate run, as Markdown (for a PR comment or a job summary) and
as JUnit XML (one test case per rubric, for CI test reports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional

from .evaluation import EvalResult

_MARK = {"PASS": "pass", "REGRESSION": "**REGRESSION**", "BELOW_MIN": "**BELOW MIN**",
         "INSUFFICIENT_DATA": "too few scores", "NO_BASELINE": "-"}


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|") or " "


def _num(value: Optional[float], fmt: str = ".3f", signed: bool = False) -> str:
    if value is None:
        return "-"
    return format(value, ("+" if signed else "") + fmt)


def markdown(result: EvalResult, title: str = "llmtap eval") -> str:
    verdict = "PASSED" if result.passed else "FAILED"
    lines = [f"## {title}: {verdict}", ""]
    against = f" against `{result.baseline}`" if result.baseline else " (no baseline)"
    lines.append(f"Run `{result.run}` of app `{result.app}`{against}: {len(result.rows)} rows, "
                 f"max drop {result.max_drop:g}"
                 + (f", min score {result.min_score:g}" if result.min_score is not None else "")
                 + (f", {result.seconds:.1f} s" if result.seconds else "") + ".")
    lines += ["", "| rubric | n | mean | 95% CI | baseline | delta | p-value | verdict |",
              "|---|---:|---:|---|---:|---:|---:|---|"]
    for r in result.rubrics:
        name = f"**{r.rubric}** (composite)" if r.composite else r.rubric
        lines.append(f"| {name} | {r.count} | {_num(r.mean)} | {_num(r.ci_low)} - "
                     f"{_num(r.ci_high)} | {_num(r.baseline_mean)} | "
                     f"{_num(r.delta, signed=True)} | {_num(r.p_value, '.3g')} | "
                     f"{_MARK.get(r.verdict, r.verdict)} |")
    if result.failures:
        lines += ["", "Failed:"] + [f"- {f}" for f in result.failures]
    if result.worst:
        lines += ["", f"### The {len(result.worst)} worst rows", "",
                  "| line | score | prompt | reference | response |", "|---:|---:|---|---|---|"]
        for w in result.worst:
            response = w["response"] or (f"(error: {w['error']})" if w.get("error") else "")
            lines.append(f"| {w['line']} | {_num(w['score'])} | {_cell(w['prompt'], 80)} | "
                         f"{_cell(w['reference'])} | {_cell(response)} |")
    return "\n".join(lines) + "\n"


def junit(result: EvalResult, suite: str = "llmtap eval") -> str:
    cases = result.rubrics
    failures = [r for r in cases if r.verdict in ("REGRESSION", "BELOW_MIN")]
    root = ET.Element("testsuite", name=suite, tests=str(len(cases)),
                      failures=str(len(failures)), errors="0", skipped="0",
                      time=f"{result.seconds:.3f}")
    props = ET.SubElement(root, "properties")
    for k, v in (("run", result.run), ("app", result.app), ("baseline", result.baseline)):
        ET.SubElement(props, "property", name=k, value=v)
    for r in cases:
        case = ET.SubElement(root, "testcase", classname=f"{suite}.{result.run}", name=r.rubric)
        if r.verdict in ("REGRESSION", "BELOW_MIN"):
            ET.SubElement(case, "failure", message=r.reason, type=r.verdict).text = r.reason
        else:
            ET.SubElement(case, "system-out").text = (
                f"mean {r.mean:.4f} (n={r.count}) verdict {r.verdict}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
