"""The admin's registrations, which Django looks for here; the desk itself is articles/desk/."""

from .desk import (  # noqa: F401 (each registers its models)
    accounts,
    articles,
    authors,
    ingest,
    photos,
    sources,
    tags,
)
