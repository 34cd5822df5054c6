"""The editors' desk: the Django admin for stories, photos, tags and sources, and the wire desk.

Rule: the desk never saves a story itself. Every write goes through articles/editorial (which
checks permissions again: hiding a button is never the only thing stopping a reporter) inside one
`changes.atomic()` block per request; admin HTML is built only with `format_html`.
"""
