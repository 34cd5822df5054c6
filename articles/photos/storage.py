"""Asking file storage something while serving a page, a feed or an API response.

Storage backends raise their own exception types (OSError, an object store's client errors…);
any of them means "no photo here", never a broken response. The failure is logged.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


def ask_storage[T](question: Callable[[], T], *, about: str, otherwise: T) -> T:
    """`question()`, or `otherwise` when the storage backend fails to answer."""
    try:
        return question()
    except Exception:  # whatever the backend raises: see the module docstring
        logger.exception("File storage could not answer about %s", about)
        return otherwise
