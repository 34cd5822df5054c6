from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # The receivers that record every change readers could see (one change set per
        # transaction), and the sign-in throttle's.
        from . import changes  # noqa: F401
        from .accounts import sessions, throttle  # noqa: F401
