"""What leaves the site as data: feeds, sitemaps, robots.txt, the read API, ninjs exports and the
structured data on pages. Every absolute URL is on settings.SITE_URL.

Rule: reads only through `Article.objects.published()`; never imports the desk or the editorial
services.
"""
