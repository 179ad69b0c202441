"""A learned passage ranker: general features of (question, passage) pairs scored by a fitted linear model.

The features are what retrieval already knows about a candidate (its keyword and dense scores and ranks, how well
its best sentence covers the question's words and meaning, whether its title or section matches, its length and
place, whether it gives the kind of answer asked for). The weights are not set by hand: ``evals.learn`` fits them
with scikit-learn's logistic regression on labelled questions and writes them to ``models/ranker.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


RANKER_FEATURES = (
    "keyword_score",  # FTS5 BM25 over stemmed terms, divided by the query's best
    "keyword_reciprocal_rank",
    "dense_similarity",  # cosine of question and passage
    "dense_gap",  # distance to the query's best dense similarity
    "dense_reciprocal_rank",
    "sentence_coverage",  # best sentence's share of the question's idf-weighted words
    "sentence_similarity",  # best sentence's cosine to the question
    "sentence_similarity_gap",
    "passage_coverage",  # the whole passage with its heading
    "coverage_beyond_title",  # best sentence's share of the question's words its document's title lacks
    "named_document",  # the question names this passage's document ("according to the annex")
    "log_length",
    "opening_passage",  # the document's first passage (title block, date, addressee)
    "answer_type_given",  # a sentence gives the kind of answer asked for (a date, a person, an amount …)
    "answer_type_missing",  # a kind of answer is asked for and no sentence gives it
    "fragment_share",  # share of short lines (agenda items, names, contact lines)
)


@dataclass(frozen=True)
class LinearModel:
    """Standardised features, a weight each and an intercept: what scikit-learn's ``StandardScaler`` +
    ``LogisticRegression`` fitted, stored as plain numbers so answering needs neither library nor pickle."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float = 0.5
    """For a classifier: the probability under which the answer is 'no' (fitted on the training questions)."""
    base_rate: float = 0.0
    """Share of positive examples it was fitted on: for the ranker, the chance that a random candidate is relevant."""
    floor: float = 0.0
    """For the decline classifier: the probability under which nothing found is relevant enough to quote, so a
    decline may say the documents are silent (fitted so that few answerable training questions fall under it)."""

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.weights + self.intercept

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(rows)))

    def probability_bounds(
        self, row: Mapping[str, float], unknown: Sequence[str], spread: float = 3.0
    ) -> tuple[float, float]:
        """The lowest and highest probability of ``row`` while the ``unknown`` features range over ``spread``
        standard deviations of their training values (the others as given)."""
        known = [0.0 if name in unknown else (row.get(name, 0.0) - m) / s
                 for name, m, s in zip(self.features, self.mean, self.scale)]
        logit = float(np.asarray(known) @ self.weights + self.intercept)
        margin = spread * sum(abs(w) for name, w in zip(self.features, self.weights) if name in unknown)
        return 1 / (1 + math.exp(-(logit - margin))), 1 / (1 + math.exp(-(logit + margin)))

    def neutral(self, names: Sequence[str]) -> dict[str, float]:
        """The training mean of each named feature the model reads: a value that moves its probability nowhere."""
        return {name: float(m) for name, m in zip(self.features, self.mean) if name in names}

    def rows(self, features: Sequence[Mapping[str, float]]) -> np.ndarray:
        return feature_matrix(features, self.features)

    def to_json(self, **extra: object) -> str:
        payload = {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "weights": self.weights.tolist(), "intercept": self.intercept, "threshold": self.threshold,
            "base_rate": self.base_rate, "floor": self.floor, **extra,
        }
        return json.dumps(payload, indent=1)

    @classmethod
    def from_json(cls, text: str) -> LinearModel:
        data = json.loads(text)
        return cls(
            tuple(data["features"]), np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64), np.asarray(data["weights"], dtype=np.float64),
            float(data["intercept"]), float(data.get("threshold", 0.5)), float(data.get("base_rate", 0.0)),
            float(data.get("floor", 0.0)),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: not a fitted model file ({exc}); refit with `python -m evals.learn`") from exc


def feature_matrix(rows: Sequence[Mapping[str, float]], features: Sequence[str]) -> np.ndarray:
    """One row per example, one column per named feature (absent: 0)."""
    matrix = np.asarray([[row.get(name, 0.0) for name in features] for row in rows], dtype=np.float64)
    return matrix.reshape(len(rows), len(features))  # (0, n) when there are no rows


def log_length(text: str) -> float:
    return math.log1p(len(text.split()))
