from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from . import (
            cache,  # noqa: F401  (invalidates cached pages on every change readers could see)
            renditions,  # noqa: F401  (connects the file-cleanup signal receivers)
            signals,  # noqa: F401  (keeps the search index current)
        )
