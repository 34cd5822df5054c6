"""Ingest channels: agency copy that arrives by itself (a watched folder, an S3 prefix, an HTTP
feed of ninjs, Atom or RSS), taken once per item and version, on the task worker.

Rule: fetching and parsing touch no story; every story is written through the wire importer
(articles/wire/importing.py), one item per transaction, so one bad item never stops the others.
"""
