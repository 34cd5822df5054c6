"""The site readers see: the front page, stories, tag, source and search pages.

Rule: every story shown or counted comes through `Article.objects.published()` or its listing
mirror `StoryListing.objects.due()`; views only read, and never import the desk or the editorial
services.
"""
