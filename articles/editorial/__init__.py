"""Editorial services: the only code that saves stories, their revisions, corrections, tag renames
and merges, and share links; plus the previews that show unpublished stories to the newsroom.

Rule: services are keyword-only, check who may do what, validate with `full_clean()`, run in one
`changes.atomic()` block, and know no request or template (previews, which render, excepted).
"""
