"""Field-by-field quality of the rule-based CV parser on the labelled corpus.

Run: .venv/bin/python bench/parse_quality.py [--size 60] [--seed 2024] [--labelled-dir DIR]

The corpus is generated deterministically (bench/corpus/). `--labelled-dir` scores a folder of real
CVs instead: each file next to `<file>.labels.json` holding the same label keys.

Comparison (documented, applied identically to every file):
- text fields are case-folded, accent-stripped and whitespace-collapsed;
- name: the same set of words (order free: "Müller, Anna" equals "Anna Müller");
- phone: the same digits, ignoring a country prefix or trunk zero ("+49 (0)30 1234" equals "030 1234");
- skills: mapped through the parser's synonym table first ("postgres" equals "PostgreSQL");
- degrees: punctuation and spaces removed ("M.Sc." equals "MSc");
- schools, employers, titles: equal after normalisation, or one contains the other, or word overlap
  (Jaccard) of at least 0.6.
List fields are scored as sets per CV and micro-averaged: precision = matched / predicted,
recall = matched / labelled. Single fields count one prediction and one label each.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus.generate import build_corpus

from bench.report import write_results
from recruiting.extraction import extract_text
from recruiting.parsing import parse_cv_text
from recruiting.parsing.sections import fold
from recruiting.parsing.skills import canonical_skill

FIELDS = ("name", "email", "phone", "skills", "employers", "titles", "degrees", "schools")
GOALS = {
    "email_f1": 0.97,
    "phone_f1": 0.97,
    "name_f1": 0.90,
    "employers_f1": 0.75,
    "titles_f1": 0.75,
    "degrees_f1": 0.75,
    "schools_f1": 0.75,
    "skills_f1": 0.65,
}
RESULTS = Path(__file__).resolve().parent / "results" / "parse_quality.json"


def normalise(text: str) -> str:
    return " ".join(fold(text).split())


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", normalise(text)))


def _phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone.replace("(0)", ""))
    return digits.lstrip("0")


def _same_phone(left: str, right: str) -> bool:
    a, b = _phone_digits(left), _phone_digits(right)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return longer.endswith(shorter) and len(shorter) >= 7


def _same_name(left: str, right: str) -> bool:
    return bool(_words(left)) and _words(left) == _words(right)


def _same_exact(left: str, right: str) -> bool:
    return normalise(left) == normalise(right) != ""


def _same_degree(left: str, right: str) -> bool:
    return re.sub(r"[\W_]+", "", normalise(left)) == re.sub(r"[\W_]+", "", normalise(right)) != ""


def _same_fuzzy(left: str, right: str) -> bool:
    a, b = normalise(left), normalise(right)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 4 and (a in b or b in a)):
        return True
    words_a, words_b = _words(a), _words(b)
    return len(words_a & words_b) / len(words_a | words_b) >= 0.6


def _same_skill(left: str, right: str) -> bool:
    return normalise(canonical_skill(left) or left) == normalise(canonical_skill(right) or right)


MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "name": _same_name,
    "email": _same_exact,
    "phone": _same_phone,
    "skills": _same_skill,
    "employers": _same_fuzzy,
    "titles": _same_fuzzy,
    "degrees": _same_degree,
    "schools": _same_fuzzy,
}


def predictions(parsed: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "name": [parsed["name"]] if parsed["name"] else [],
        "email": [parsed["email"]] if parsed["email"] else [],
        "phone": [parsed["phone"]] if parsed["phone"] else [],
        "skills": list(parsed["skills"]),
        "employers": [entry["employer"] for entry in parsed["experience"] if entry["employer"]],
        "titles": [entry["title"] for entry in parsed["experience"] if entry["title"]],
        "degrees": [entry["degree"] for entry in parsed["education"] if entry["degree"]],
        "schools": [entry["institution"] for entry in parsed["education"] if entry["institution"]],
    }


def count_matches(predicted: list[str], labelled: list[str], same: Callable[[str, str], bool]) -> int:
    """Greedy one-to-one matching: each label can be matched by one prediction only."""
    unmatched = list(labelled)
    matched = 0
    for item in predicted:
        for index, label in enumerate(unmatched):
            if same(item, label):
                matched += 1
                del unmatched[index]
                break
    return matched


class Tally:
    def __init__(self) -> None:
        self.matched: dict[str, int] = defaultdict(int)
        self.predicted: dict[str, int] = defaultdict(int)
        self.labelled: dict[str, int] = defaultdict(int)

    def add(self, field: str, matched: int, predicted: int, labelled: int) -> None:
        self.matched[field] += matched
        self.predicted[field] += predicted
        self.labelled[field] += labelled

    def scores(self, field: str) -> tuple[float, float, float]:
        precision = self.matched[field] / self.predicted[field] if self.predicted[field] else 0.0
        recall = self.matched[field] / self.labelled[field] if self.labelled[field] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def load_labelled_dir(directory: Path) -> list[tuple[str, str, bytes, dict[str, Any], bool]]:
    items = []
    for labels_path in sorted(directory.glob("*.labels.json")):
        file_path = labels_path.with_name(labels_path.name.removesuffix(".labels.json"))
        items.append((file_path.name, "", file_path.read_bytes(), json.loads(labels_path.read_text()), True))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--labelled-dir", type=Path)
    parser.add_argument("--show-errors", action="store_true", help="print each mismatch")
    arguments = parser.parse_args()
    if arguments.labelled_dir:
        items = load_labelled_dir(arguments.labelled_dir)
    else:
        items = [
            (cv.filename, cv.file_format, cv.data, cv.labels, cv.held_out)
            for cv in build_corpus(seed=arguments.seed, size=arguments.size)
        ]
    overall, held_out = Tally(), Tally()
    by_format: dict[str, Tally] = defaultdict(Tally)
    failures = 0
    started = time.perf_counter()
    for filename, _, data, labels, is_held_out in items:
        extraction = extract_text(data=data, filename=filename)
        file_format: str = extraction.file_type or "unknown"
        parsed = parse_cv_text(extraction.text) if extraction.ok else parse_cv_text("")
        failures += not extraction.ok
        predicted = predictions(parsed)
        for field in FIELDS:
            labelled = labels.get(field) or []
            labelled = labelled if isinstance(labelled, list) else [labelled]
            matched = count_matches(predicted[field], labelled, MATCHERS[field])
            tallies = [overall, by_format[file_format]] + ([held_out] if is_held_out else [])
            for tally in tallies:
                tally.add(field, matched, len(predicted[field]), len(labelled))
            if arguments.show_errors and (matched < len(labelled) or matched < len(predicted[field])):
                print(f"{filename} {field}: predicted={predicted[field]} labelled={labelled}")
    elapsed = time.perf_counter() - started
    figures: dict[str, float] = {}
    for field in FIELDS:
        precision, recall, f1 = overall.scores(field)
        figures[f"{field}_f1"] = round(f1, 3)
        figures[f"{field}_precision"] = round(precision, 3)
        figures[f"{field}_recall"] = round(recall, 3)
    for format_name, tally in sorted(by_format.items()):
        for field in FIELDS:
            figures[f"{format_name}_{field}_f1"] = round(tally.scores(field)[2], 3)
    if held_out.labelled:
        for field in FIELDS:
            figures[f"held_out_{field}_f1"] = round(held_out.scores(field)[2], 3)
    figures["extraction_failures"] = failures
    if not arguments.labelled_dir:
        write_results(
            RESULTS,
            bench="parse_quality",
            params={
                "seed": arguments.seed,
                "size": len(items),
                "source": "generated",
                "formats": {name: sum(1 for item in items if item[0].endswith("." + name)) for name in by_format},
                "held_out_cvs": sum(1 for item in items if item[4]),
                "seconds": round(elapsed, 2),
            },
            figures=figures,
            goals={name: f">= {goal}" for name, goal in GOALS.items()},
        )
    print(f"parse_quality: {len(items)} CVs in {elapsed:.1f} s, extraction failures: {failures}")
    print(f"{'field':<10} {'P':>6} {'R':>6} {'F1':>6}  goal   " + "  ".join(f"{name:>6}" for name in sorted(by_format)))
    for field in FIELDS:
        precision, recall, f1 = overall.scores(field)
        per_format = "  ".join(f"{by_format[name].scores(field)[2]:6.3f}" for name in sorted(by_format))
        status = "ok" if f1 >= GOALS[f"{field}_f1"] else "MISS"
        print(
            f"{field:<10} {precision:6.3f} {recall:6.3f} {f1:6.3f}  {GOALS[field + '_f1']:.2f} {status:<4} {per_format}"
        )
    if held_out.labelled:
        print("held-out layouts F1: " + ", ".join(f"{field} {held_out.scores(field)[2]:.3f}" for field in FIELDS))


if __name__ == "__main__":
    main()
