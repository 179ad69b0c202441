"""Keep third-party libraries from reaching the network: no model-hub downloads, no telemetry."""

from __future__ import annotations

import os

OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce_offline() -> None:
    """Set the libraries' own switches; they read them from the process environment at import time."""
    for name, value in OFFLINE_VARIABLES.items():
        os.environ.setdefault(name, value)
