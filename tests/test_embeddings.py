import numpy as np
import pytest

from assistant.index.embeddings import LocalEmbeddings, WordPieceCounter

TEXTS = [
    "Clusters act local but reach global.",
    "The European Clusters Alliance gathers 13 National Cluster Associations representing more than 740 clusters.",
    "Pôle de compétitivité CIMES " * 80,  # longer than the model's 256 word pieces: truncated like the reference
]


def test_vectors_match_the_sentence_transformers_reference(embeddings: LocalEmbeddings) -> None:
    sentence_transformers = pytest.importorskip("sentence_transformers")
    reference = sentence_transformers.SentenceTransformer(str(embeddings.model_dir), device="cpu", local_files_only=True)
    expected = reference.encode(TEXTS, normalize_embeddings=True)
    ours = np.asarray(embeddings.embed_documents(TEXTS))
    assert np.allclose((ours * expected).sum(axis=1), 1.0, atol=1e-4)


def test_vectors_are_unit_length_and_order_is_kept(embeddings: LocalEmbeddings) -> None:
    batch = np.asarray(embeddings.embed_documents(TEXTS))
    one_by_one = np.asarray([embeddings.embed_query(text) for text in TEXTS])
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.allclose(batch, one_by_one, atol=1e-5)


def test_related_sentences_are_closer_than_unrelated_ones(embeddings: LocalEmbeddings) -> None:
    question, related, unrelated = embeddings.embed_documents(
        ["Who moderated the session?", "The moderator Teodora Jilkova opened the session.", "Raw materials are refined."]
    )
    assert np.dot(question, related) > np.dot(question, unrelated) + 0.2


def test_word_pieces_are_counted_like_the_model_truncates(embeddings: LocalEmbeddings) -> None:
    count = WordPieceCounter(embeddings.model_dir)
    assert count("clusters") == 1
    assert count("IoT4Industry") > 1
