"""Editors' accounts: signing in to the desk, with throttling of failed attempts.

Rule: the sign-in form never tells anyone which user names exist.
"""
