"""The browser tests' live server behaves as a WSGI server must."""

import threading

from django.core.signals import request_finished

from .conftest import OneRequestAtATimeServer


def test_each_response_is_closed_in_its_own_request_thread():
    """A response left unclosed is closed by the garbage collector in whatever thread it runs:
    a static file's `FileResponse` then sent `request_finished` there, which closed that
    thread's database connection in the middle of its transaction."""
    closed_in, finished_in = [], []

    class Response(list):
        def close(self):
            closed_in.append(threading.get_ident())
            request_finished.send(sender=None)

    def finished(**kwargs):
        finished_in.append(threading.get_ident())

    server = OneRequestAtATimeServer.__new__(OneRequestAtATimeServer)
    server.set_app(lambda environ, start_response: Response([b"body"]))
    answers = []
    request_finished.connect(finished)
    try:
        thread = threading.Thread(target=lambda: answers.append(server.get_app()({}, None)))
        thread.start()
        thread.join()
    finally:
        request_finished.disconnect(finished)
    assert answers == [[b"body"]]
    assert closed_in == finished_in == [thread.ident]
