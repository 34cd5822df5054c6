"""Photos: uploads judged by decoding and re-encoded clean, renditions made once per width, and
the `<picture>` a page shows.

Rule: nothing here runs while a page is served but choosing among stored renditions; renditions
are made after a photo's change commits, and a storage error never breaks a page.
"""
