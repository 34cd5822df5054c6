"""Wire in: agency copy (plain wire text or IPTC ninjs) parsed, imported as stories, and the tags
and sources it mentions suggested.

Rule: parsers turn bytes into plain data and touch no database; imports create and update stories
only through articles/editorial/services.py, one revision per import.
"""
