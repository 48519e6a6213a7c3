"""Ranking quality of candidate matching on a labelled set of jobs and CVs.

Run: .venv/bin/python bench/match_quality.py [--seed 7] [--positives 11]

For each job of bench/match_corpus (six fields), every CV is scored three ways and ranked:
- `keyword`: compute_keyword_match alone (what the ranking page shows before any AI assessment);
- `local`: the `local` provider's match_candidate answer (the registered rule-based handler, given
  the same job and CV text the gateway would render into the prompt);
- `combined`: the documented blend of both (recruiting.matching.scoring.combined_score).
Reports precision@5, precision@10 and NDCG@10 (binary relevance) averaged over the jobs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.report import write_results

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from match_corpus.generate import Field, LabelledCV, build_match_corpus  # noqa: E402

from llm.local import LocalRequest, local_answer  # noqa: E402
from recruiting.matching import combined_score, compute_keyword_match, job_prompt_text  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "match_quality.json"
GOALS = {"local_p_at_10": ">= 0.8"}


def precision_at(ranked: list[bool], k: int) -> float:
    return sum(ranked[:k]) / k


def ndcg_at(ranked: list[bool], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, relevant in enumerate(ranked[:k]) if relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, sum(ranked))))
    return dcg / ideal if ideal else 0.0


def evaluate(fields: list[Field], cvs: list[LabelledCV]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    scorers: dict[str, Callable[[str, Field, LabelledCV], int]] = {}
    local_scores: dict[tuple[str, str], int] = {}
    keyword_scores: dict[tuple[str, str], int] = {}

    def job_text(spec: Field) -> str:
        job = spec.job
        return job_prompt_text(
            title=str(job["title"]),
            skills=list(job["skills"]),
            qualifications=list(job["qualifications"]),
            responsibilities=list(job["responsibilities"]),
            description=str(job["description"]),
        )

    def keyword(text: str, spec: Field, cv: LabelledCV) -> int:
        key = (spec.name, cv.key)
        if key not in keyword_scores:
            job = spec.job
            keyword_scores[key] = compute_keyword_match(
                job_skills=list(job["skills"]),
                job_required_text="\n".join(job["qualifications"]),
                job_text="\n".join([*job["responsibilities"], str(job["description"])]),
                cv_text=cv.text,
            ).score
        return keyword_scores[key]

    def local(text: str, spec: Field, cv: LabelledCV) -> int:
        key = (spec.name, cv.key)
        if key not in local_scores:
            request = LocalRequest("match_candidate", {"job_text": text, "cv_text": cv.text}, [], None, 900)
            local_scores[key] = int(json.loads(local_answer(request))["score"])
        return local_scores[key]

    def combined(text: str, spec: Field, cv: LabelledCV) -> int:
        return combined_score(keyword_score=keyword(text, spec, cv), llm_score=local(text, spec, cv))

    scorers = {"keyword": keyword, "local": local, "combined": combined}
    per_job: dict[str, dict[str, float]] = {}
    totals: dict[str, float] = {}
    for spec in fields:
        text = job_text(spec)
        for name, scorer in scorers.items():
            # Ties broken by CV key, so a score that cannot separate CVs gains nothing from luck.
            ranking = sorted(cvs, key=lambda cv: (-scorer(text, spec, cv), cv.key))
            relevant = [cv.field == spec.name for cv in ranking]
            figures = {
                f"{name}_p_at_5": precision_at(relevant, 5),
                f"{name}_p_at_10": precision_at(relevant, 10),
                f"{name}_ndcg_at_10": ndcg_at(relevant, 10),
            }
            per_job.setdefault(spec.name, {}).update({k: round(v, 3) for k, v in figures.items()})
            for figure, value in figures.items():
                totals[figure] = totals.get(figure, 0.0) + value / len(fields)
    return {figure: round(value, 3) for figure, value in totals.items()}, per_job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--positives", type=int, default=11, help="relevant CVs per field")
    args = parser.parse_args()
    fields, cvs = build_match_corpus(seed=args.seed, positives=args.positives)
    started = time.perf_counter()
    figures, per_job = evaluate(fields, cvs)
    elapsed = time.perf_counter() - started
    figures["scorings_per_s"] = round(len(fields) * len(cvs) / elapsed, 1)
    write_results(
        RESULTS,
        bench="match_quality",
        params={"seed": args.seed, "jobs": len(fields), "cvs": len(cvs), "positives_per_job": args.positives},
        figures=figures,
        goals=GOALS,
        per_job=per_job,
    )
    print(f"{len(fields)} jobs x {len(cvs)} CVs (seed {args.seed}), {elapsed:.1f}s")
    for scorer in ("keyword", "local", "combined"):
        print(
            f"  {scorer:9} p@5 {figures[f'{scorer}_p_at_5']:.3f}  p@10 {figures[f'{scorer}_p_at_10']:.3f}"
            f"  ndcg@10 {figures[f'{scorer}_ndcg_at_10']:.3f}"
        )
    for job, job_figures in per_job.items():
        print(
            f"  {job:13} local p@10 {job_figures['local_p_at_10']:.2f}  keyword p@10 {job_figures['keyword_p_at_10']:.2f}"
        )


if __name__ == "__main__":
    main()
