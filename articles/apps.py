from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from . import renditions  # noqa: F401  (connects the file-cleanup signal receivers)
