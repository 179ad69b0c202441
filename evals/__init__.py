"""Evaluation harness: run a question set through the assistant, score the results."""
