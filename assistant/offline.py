"""Keep third-party libraries from reaching the network: no model-hub downloads, no telemetry."""

from __future__ import annotations

import os

OFFLINE_VARIABLES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def enforce_offline() -> None:
    """Set the libraries' own switches; they read them from the process environment at import time."""
    for name, value in OFFLINE_VARIABLES.items():
        os.environ.setdefault(name, value)
