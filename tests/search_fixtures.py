"""Fixtures shared by the search and tag tests (imported by those modules)."""

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs the block, then the callbacks a real commit would run
    (the search index is updated in `transaction.on_commit`; tests run inside a transaction)."""

    def context():
        return django_capture_on_commit_callbacks(execute=True)

    return context
