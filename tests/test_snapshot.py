"""evals.snapshot compares two runs answer by answer: what a move or a split must leave unchanged."""

import json
from pathlib import Path

from evals.snapshot import differences, read


def test_a_changed_field_and_a_missing_answer_are_named(tmp_path: Path) -> None:
    before = {"set:q1": {"answer": "A [1]", "outcome": "answered"}, "set:q2": {"answer": "B", "outcome": "unsure"}}
    after = {"set:q1": {"answer": "A [1]", "outcome": "declined"}, "set:q3": {"answer": "C", "outcome": "answered"}}
    assert differences(before, after) == ["set:q2: only before", "set:q3: only after", "set:q1: outcome differ"]
    assert differences(before, dict(before)) == []
    path = tmp_path / "snap.jsonl"
    path.write_text("".join(json.dumps({"key": k, "result": r}) + "\n" for k, r in before.items()))
    assert read(path) == before
