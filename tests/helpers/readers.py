"""Many readers asking for a page at the same moment, each in a thread of its own."""

import threading

from django.db import connections
from django.test import Client


def ask_together(url: str, readers: int) -> list:
    """Each reader's response to GET `url`, all sent at once (a barrier releases them)."""
    arrived = threading.Barrier(readers)
    answers = []

    def ask():
        try:
            arrived.wait()
            answers.append(Client().get(url))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers
