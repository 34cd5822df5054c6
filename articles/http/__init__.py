"""How responses are served: the page cache and the HTTP caches in front, the shared cache that
survives Redis going away, and failures explained (a lost database is a 503 page).

Rule: nothing here decides what readers may see or when content changed; the page cache is told
by articles/changes.py, once per committed transaction.
"""
