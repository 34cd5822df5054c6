"""Work outside the request: Django's tasks framework on the database queue (django-tasks-db),
retries with backoff, jobs lost with a killed worker queued again, and the worker's scheduler
loop (ingest channels that are due, the database's planner statistics).

Rule: every task is idempotent. A task may run twice (a retry, or a job given back after its
worker died), so it checks what is already done before doing it.
"""
