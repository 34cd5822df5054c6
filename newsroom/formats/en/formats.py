"""English as the newsroom writes it: British date and number formats (3 December 2026, 10:42;
day/month/year in forms), whatever the browser's variant of English."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
