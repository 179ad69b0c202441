"""A small BERT sentence encoder in plain PyTorch for the packaged MiniLM weights.

sentence-transformers computes the same vectors (a test checks it) but takes ~4 s to import, which doubled
the cold start of the chat and of every ingest; this module imports in under a second.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Encoding, Tokenizer

Delta = Callable[[int, str, torch.Tensor], torch.Tensor]
"""An addition to a linear layer's output: (layer, linear layer's name, its input) -> addition."""


class BertSentenceEncoder:
    """BERT forward pass, mean pooling over real tokens, L2 normalisation (the all-MiniLM-L6-v2 recipe)."""

    def __init__(self, model_dir: Path, max_tokens: int = 256) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = max_tokens
        self.weights = {k: v.float() for k, v in load_file(str(model_dir / "model.safetensors")).items()}
        for layer in range(self.layers):  # one matrix product for query, key and value instead of three
            prefix = f"encoder.layer.{layer}.attention.self"
            for part in ("weight", "bias"):
                self.weights[f"{prefix}.qkv.{part}"] = torch.cat(
                    [self.weights.pop(f"{prefix}.{name}.{part}") for name in ("query", "key", "value")]
                )
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=int(config.get("pad_token_id", 0)), pad_token="[PAD]")

    def _w(self, name: str) -> torch.Tensor:
        return self.weights[name]

    def _linear(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, self._w(f"{name}.weight"), self._w(f"{name}.bias"))

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (self.hidden,), self._w(f"{name}.weight"), self._w(f"{name}.bias"), self.eps)

    @torch.inference_mode()
    def encode(self, texts: list[str]) -> torch.Tensor:
        """Unit-length sentence vectors, one row per text."""
        mask, states = self.token_states(self.tokenizer.encode_batch(texts))
        return F.normalize(mean_pooled(states, mask), p=2, dim=1)

    def token_states(self, encodings: list[Encoding], delta: Delta | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """The attention mask and the last layer's token states of a padded batch. ``delta``: an addition to the
        output of each linear layer (``layer``, its name, its input), for adapters fitted on top of the weights."""
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
        types = torch.tensor([e.type_ids for e in encodings], dtype=torch.long)
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = (
            F.embedding(ids, self._w("embeddings.word_embeddings.weight"))
            + F.embedding(positions, self._w("embeddings.position_embeddings.weight"))
            + F.embedding(types, self._w("embeddings.token_type_embeddings.weight"))
        )
        x = self._norm(x, "embeddings.LayerNorm")
        batch, length, _ = x.shape
        head_size = self.hidden // self.heads
        attention_bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min

        def linear(x: torch.Tensor, layer: int, name: str) -> torch.Tensor:
            out = self._linear(x, f"encoder.layer.{layer}.{name}")
            return out if delta is None else out + delta(layer, name, x)

        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}"
            qkv = linear(x, layer, "attention.self.qkv")
            query, key, value = qkv.view(batch, length, 3, self.heads, head_size).permute(2, 0, 3, 1, 4)
            context = F.scaled_dot_product_attention(query, key, value, attn_mask=attention_bias)
            context = context.transpose(1, 2).reshape(batch, length, self.hidden)
            x = self._norm(x + linear(context, layer, "attention.output.dense"), f"{prefix}.attention.output.LayerNorm")
            intermediate = F.gelu(linear(x, layer, "intermediate.dense"))
            x = self._norm(x + linear(intermediate, layer, "output.dense"), f"{prefix}.output.LayerNorm")
        return mask, x


def mean_pooled(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of the real (unpadded) tokens' states."""
    weights = mask.unsqueeze(-1).float()
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
