"""Fitting the answer matcher (``assistant.answering.answer_match``) on the pool's questions.

Each question's candidate sentences (the extractive answerer's best eight, each under its heading) are examples: a
sentence holding a gold snippet is a positive, the others negatives (at most ``NEGATIVES`` per question, the best
scored first: the near ones teach most); an unanswerable question's sentences are all negatives. An answerable
question whose gold sentence is not among its candidates keeps only the sentences of passages without gold (a
sentence of the gold passage that was not matched may still answer). Fitted with AdamW on a binary cross-entropy
that weighs positives as much as negatives in total; three passes. Settings chosen on the pool in grouped folds
(docs/evaluation.md): adapters on all six layers did better than on the last three (sentence chosen right 0.72
against 0.56), not tuned further.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from assistant.answering.answer_match import AnswerMatcher
from assistant.index.encoder import BertSentenceEncoder

NEGATIVES = 4
EPOCHS = 3
BATCH = 16
LEARNING_RATE = 1e-3
WARMUP_STEPS = 20


@dataclass(frozen=True)
class MatchCandidate:
    text: str
    """The sentence under its section heading, as the answerer reads it."""
    gold: bool
    """It holds a gold snippet of the question."""
    in_gold_passage: bool


def matcher_examples(question: str, answerable: bool, candidates: Sequence[MatchCandidate]) -> list[tuple[str, str, bool]]:
    """(question, sentence, answers) examples of one question."""
    if answerable and not any(c.gold for c in candidates):
        candidates = [c for c in candidates if not c.in_gold_passage]
    positives = [c for c in candidates if c.gold]
    negatives = [c for c in candidates if not c.gold][:NEGATIVES]
    return [(question, c.text, True) for c in positives] + [(question, c.text, False) for c in negatives]


def batches_of_similar_length(
    examples: list[tuple[str, str, bool]], shuffler: random.Random
) -> list[list[tuple[str, str, bool]]]:
    """Shuffled batches whose pairs are of similar length (less padding: about twice as fast), drawn from shuffled
    runs of eight batches so that every pass mixes them differently."""
    shuffler.shuffle(examples)
    batches = []
    for start in range(0, len(examples), BATCH * 8):
        run = sorted(examples[start:start + BATCH * 8], key=lambda e: len(e[0]) + len(e[1]))
        batches += [run[i:i + BATCH] for i in range(0, len(run), BATCH)]
    shuffler.shuffle(batches)
    return batches


def fit_matcher(examples: Sequence[tuple[str, str, bool]], encoder: BertSentenceEncoder, seed: int = 0) -> AnswerMatcher:
    torch.manual_seed(seed)
    matcher = AnswerMatcher.untrained(encoder, seed=seed)
    parameters = matcher.parameters()
    for tensor in parameters:
        tensor.requires_grad_(True)
    positives = sum(label for _, _, label in examples)
    pos_weight = torch.tensor((len(examples) - positives) / max(1, positives))
    optimiser = torch.optim.AdamW(parameters, lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * math.ceil(len(examples) / BATCH)
    order = list(examples)
    shuffler = random.Random(seed)
    step = 0
    for _ in range(EPOCHS):
        for batch in batches_of_similar_length(order, shuffler):
            logits = matcher.logits([(question, text) for question, text, _ in batch])
            labels = torch.tensor([float(label) for _, _, label in batch])
            loss = F.binary_cross_entropy_with_logits(logits, labels, pos_weight=pos_weight)
            for group in optimiser.param_groups:
                group["lr"] = LEARNING_RATE * min(1.0, (step + 1) / WARMUP_STEPS) * (1 - step / steps)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
    for tensor in parameters:
        tensor.requires_grad_(False)
    return matcher
