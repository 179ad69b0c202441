"""Does this sentence answer this question? The packaged MiniLM read as a cross-encoder: question and sentence in
one sequence, so that every word of one attends to every word of the other, with low-rank adapters (LoRA, Hu et al.
2021) and a scoring head fitted on the pool's questions (``python -m evals.learn``; ``evals/match_training.py``).

A semantic signal for the answer / unsure / decline decision that word overlap lacks: "money" against "budget",
"who chaired" against "the moderator". The adapters add a few hundred thousand numbers to the 22 million of the
embedding model already loaded, so the model ships as a file of about a megabyte and costs one pass over one short
pair per question.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from assistant.index.encoder import BertSentenceEncoder, mean_pooled

LINEARS = ("attention.self.qkv", "attention.output.dense", "intermediate.dense", "output.dense")
"""The linear layers of each transformer layer that get an adapter."""

MAX_TOKENS = 80
"""Question and sentence together are cut to this many word pieces (most pairs are shorter)."""


class AnswerMatcher:
    """A score (a logit) for each (question, sentence) pair: how far the sentence answers the question."""

    def __init__(
        self, encoder: BertSentenceEncoder, adapters: dict[str, tuple[torch.Tensor, torch.Tensor]],
        head: tuple[torch.Tensor, torch.Tensor], scale: float,
    ) -> None:
        self.encoder = encoder
        self.adapters = adapters
        self.head = head
        self.scale = scale
        self.tokenizer = copy.deepcopy(encoder.tokenizer)
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    @classmethod
    def untrained(cls, encoder: BertSentenceEncoder, rank: int = 8, alpha: float = 16.0, seed: int = 0) -> AnswerMatcher:
        """Adapters that change nothing yet (B = 0) and a zero head, ready to be fitted."""
        generator = torch.Generator().manual_seed(seed)
        adapters = {}
        for layer in range(encoder.layers):
            for name in LINEARS:
                out_features, in_features = encoder.weights[f"encoder.layer.{layer}.{name}.weight"].shape
                down = torch.randn(rank, in_features, generator=generator) / math.sqrt(in_features)
                adapters[f"{layer}.{name}"] = (down, torch.zeros(out_features, rank))
        head = (torch.zeros(encoder.hidden), torch.zeros(1))
        return cls(encoder, adapters, head, alpha / rank)

    def parameters(self) -> list[torch.Tensor]:
        return [t for pair in self.adapters.values() for t in pair] + list(self.head)

    def _delta(self, layer: int, name: str, x: torch.Tensor) -> torch.Tensor:
        down, up = self.adapters[f"{layer}.{name}"]
        return (x @ down.T) @ up.T * self.scale

    def logits(self, pairs: list[tuple[str, str]]) -> torch.Tensor:
        """One logit per pair (gradients flow when enabled: the fitting uses this too)."""
        mask, states = self.encoder.token_states(self.tokenizer.encode_batch(pairs), self._delta)
        weight, bias = self.head
        return mean_pooled(states, mask) @ weight + bias

    @torch.inference_mode()
    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        return self.logits([(question, sentence) for sentence in sentences]).numpy()

    def save(self, path: Path) -> None:
        tensors = {f"adapter.{key}.{part}": tensor.detach().contiguous()
                   for key, pair in self.adapters.items() for part, tensor in zip(("down", "up"), pair)}
        tensors["head.weight"], tensors["head.bias"] = (t.detach().contiguous() for t in self.head)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_file(tensors, str(path), metadata={"scale": str(self.scale)})

    @classmethod
    def load(cls, path: Path, encoder: BertSentenceEncoder) -> AnswerMatcher:
        with safe_open(str(path), framework="pt") as handle:
            scale = float((handle.metadata() or {})["scale"])
        tensors = load_file(str(path))
        keys = {name.removeprefix("adapter.").rsplit(".", 1)[0] for name in tensors if name.startswith("adapter.")}
        adapters = {key: (tensors[f"adapter.{key}.down"], tensors[f"adapter.{key}.up"]) for key in keys}
        return cls(encoder, adapters, (tensors["head.weight"], tensors["head.bias"]), scale)
