"""The admin's registrations, which Django looks for here; the desk itself is articles/desk/."""

from .desk import accounts, articles, photos, sources, tags  # noqa: F401 (each registers its models)
