"""Search and listings: full-text search on either database, and the listing rows that tag pages,
searches and facets read instead of the story table.

Rule: search knows no request, template or cache. It reads stories and writes only its own tables
(articles/search/models.py), and only when articles/changes.py (or `rebuild_search_index`) asks.
"""
