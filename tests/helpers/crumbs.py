"""The desk's breadcrumbs as a page shows them: (link or None, text) for each crumb."""

import re


def breadcrumbs(html: str) -> list[tuple[str | None, str]]:
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S)[1]
    return [
        (link or None, text.strip())
        for link, text in re.findall(r'<li[^>]*>\s*(?:<a href="([^"]*)">)?([^<]*)', trail)
    ]
