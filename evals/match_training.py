"""Fitting the answer matcher (``assistant.answering.answer_match``) on the pool's questions.

Each question's candidate sentences (the extractive answerer's best eight, each under its heading) are examples: a
sentence holding a gold snippet is a positive, the others negatives (at most ``NEGATIVES`` per question, the best
scored first: the near ones teach most); an unanswerable question's sentences are all negatives. An answerable
question whose gold sentence is not among its candidates keeps only the sentences of passages without gold (a
sentence of the gold passage that was not matched may still answer). Fitted with AdamW on a binary cross-entropy
that weighs positives as much as negatives in total; three passes. Settings chosen on the pool in grouped folds
(docs/evaluation.md): adapters on all six layers did better than on the last three (sentence chosen right 0.72
against 0.56), not tuned further.

Besides the pool's own near misses, each answered training question lends one made up from it
(``NearMissMaker``): the question with a word it shares with its answering sentence replaced by a near word of the
same shape the sentence lacks, paired with that sentence as a negative. A sentence about the Portuguese association
does not answer a question about the Spanish one, however close the two are in meaning; without such pairs the
matcher had seen too few near misses to learn it (chosen on the pool, docs/evaluation.md).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F

from assistant.answering.answer_match import AnswerMatcher
from assistant.index.encoder import BertSentenceEncoder
from assistant.text.terms import WORD, stem
from assistant.text.wordlists import STOP_WORDS

NEGATIVES = 4
NearMisses = Literal["none", "names and numbers", "all words"]
NEAR_MISSES: NearMisses = "all words"
"""Which words the made-up near misses replace (``NearMissMaker``)."""
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


NEAREST = 5
"""A name's or number's stand-in is drawn from this many of its nearest words of the same shape."""
RELATED = (10, 30)
"""A lower-case word's stand-in is drawn from its 10th to 30th nearest: the nearest few are its synonyms ("jobs",
"employment"), which a paraphrase may use, not near misses."""


def word_shape(word: str) -> str:
    """Numbers keep their pattern of digits (a year stands in for a year); words their case."""
    if any(ch.isdigit() for ch in word):
        return re.sub(r"\d", "0", word)
    return "capitalised" if word[:1].isupper() else "lower"


def content_tokens(text: str) -> list[re.Match[str]]:
    return [m for m in WORD.finditer(text) if m.group().lower() not in STOP_WORDS and len(m.group()) > 1]


class NearMissMaker:
    """Near misses made from answered questions, for the matcher to learn that a sentence about another body,
    place, year or topic does not answer: a word the question shares with its answering sentence is replaced by a
    word of the same shape from the training sentences that the sentence lacks, one of the nearest in the embedding
    space (so "Portuguese" becomes another nationality, "2021" another year, "raw materials" another topic). The
    vocabulary is that of the sentences given, so inside cross-validation it comes from the training folds only."""

    def __init__(self, sentences: Sequence[str], encoder: BertSentenceEncoder, lower_case: bool = True) -> None:
        self.lower_case = lower_case
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for sentence in sentences:
            for match in content_tokens(sentence):
                if "'" in match.group() or "’" in match.group():
                    continue
                spellings[match.group().lower()][match.group()] += 1
        self.words = [counts.most_common(1)[0][0] for counts in spellings.values()]
        self.shapes = np.array([word_shape(w) for w in self.words])
        self.stems = [stem(w.lower()) for w in self.words]
        vectors = [encoder.encode(self.words[i:i + 256]) for i in range(0, len(self.words), 256)]
        self.vectors = torch.cat(vectors).numpy() if vectors else np.zeros((0, encoder.hidden))
        self.index = {w.lower(): i for i, w in enumerate(self.words)}

    def near_miss(self, question: str, sentences: Sequence[str], rng: random.Random) -> str | None:
        """The question with one word it shares with ``sentences`` replaced by a near word none of them holds."""
        held = {m.group().lower() for s in sentences for m in WORD.finditer(s)}
        asked = {m.group().lower() for m in WORD.finditer(question)}
        shared = [m for m in content_tokens(question) if m.group().lower() in held and m.group().lower() in self.index]
        excluded = held | asked
        rng.shuffle(shared)
        for match in shared:
            word = match.group()
            shape = word_shape(word)
            if shape == "lower" and not self.lower_case:
                continue
            own = self.index[word.lower()]
            allowed = [
                i for i in np.flatnonzero(self.shapes == shape)
                if self.stems[i] != self.stems[own] and self.words[i].lower() not in excluded
            ]
            if not allowed:
                continue
            similarity = self.vectors[allowed] @ self.vectors[own]
            first, last = RELATED if shape == "lower" else (0, NEAREST)
            nearest = [allowed[i] for i in np.argsort(-similarity)[first:last]]
            if not nearest:
                continue
            stand_in = self.words[rng.choice(nearest)]
            return question[:match.start()] + stand_in + question[match.end():]
        return None


def with_near_misses(
    examples: Sequence[tuple[str, str, bool]], encoder: BertSentenceEncoder, lower_case: bool = True, seed: int = 0
) -> list[tuple[str, str, bool]]:
    """``examples`` and one near miss per answered question, paired with its answering sentences as a negative."""
    answering: dict[str, list[str]] = defaultdict(list)
    for question, text, label in examples:
        if label:
            answering[question].append(text)
    maker = NearMissMaker(sorted({text for _, text, _ in examples}), encoder, lower_case)
    rng = random.Random(seed)
    made = []
    for question, sentences in answering.items():
        near_miss = maker.near_miss(question, sentences, rng)
        if near_miss is not None:
            made += [(near_miss, text, False) for text in sentences]
    return [*examples, *made]


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


def fit_matcher(
    examples: Sequence[tuple[str, str, bool]], encoder: BertSentenceEncoder, seed: int = 0,
    near_misses: NearMisses = NEAR_MISSES,
) -> AnswerMatcher:
    if near_misses != "none":
        examples = with_near_misses(examples, encoder, near_misses == "all words", seed)
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
