# One image for every role of the production layout (see README, "Several instances"): the Streamlit app, an
# ingest job, and the Chroma server itself (`chroma run` from the same chromadb package, so client and server
# versions always match). Not built in this project's CI (no Docker engine there).
FROM python:3.11-slim
WORKDIR /app
ENV PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 ANONYMIZED_TELEMETRY=False \
    ASSISTANT_CORPUS_DIR=/corpus ASSISTANT_DATA_DIR=/data
# The CPU build of PyTorch: a plain `torch` from PyPI pulls several GB of CUDA libraries.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
# FreeDict's dictionaries into English: questions in other EU languages are searched word by word without a model.
COPY scripts/ensure-dictionaries.sh ./scripts/
RUN apt-get update -qq && bash scripts/ensure-dictionaries.sh && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY assistant ./assistant
COPY evals ./evals
RUN pip install .
COPY app.py ingest.py ./
COPY .streamlit/config.toml ./.streamlit/config.toml
EXPOSE 8501
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
