"""Channels and what they took: the rows behind the channel admin and page."""

import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone


class IngestChannel(models.Model):
    """Somewhere an agency delivers copy, and how the desk wants it taken."""

    class Kind(models.TextChoices):
        FOLDER = "folder", "Watched folder"
        S3 = "s3", "S3 prefix"
        HTTP = "http", "HTTP(S) feed"

    class Format(models.TextChoices):
        AUTO = "auto", "Decide from the copy"
        NINJS = "ninjs", "ninjs (one story or a list)"
        FEED = "feed", "Atom or RSS"
        WIRE = "wire", "Wire text"

    class OnUpdate(models.TextChoices):
        REVISE = "revise", "Update the story, with a revision"
        HOLD = "hold", "Hold the update as a draft for review"

    name = models.CharField(max_length=100, unique=True, help_text="e.g. Reuters World")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FOLDER)
    location = models.CharField(
        max_length=500,
        help_text="A folder path on the server; s3://bucket/prefix/; or an http(s):// URL.",
    )
    s3_endpoint_url = models.URLField(
        "S3 endpoint",
        blank=True,
        help_text="Only for S3-compatible stores other than AWS. Credentials come from the "
        "server's AWS_* environment.",
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.AUTO)
    interval_minutes = models.PositiveIntegerField(
        "look every (minutes)", default=5, help_text="How often the worker looks for new copy."
    )
    default_tags = models.CharField(
        max_length=300, blank=True, help_text="Comma-separated; added to every story taken."
    )
    source = models.ForeignKey(
        "articles.Source",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Credited on every story taken (besides any the copy names).",
    )
    desk = models.CharField(
        max_length=100, blank=True, help_text="Which desk the stories are for, e.g. World."
    )
    on_update = models.CharField(
        "when a published story gets a new version",
        max_length=10,
        choices=OnUpdate.choices,
        default=OnUpdate.REVISE,
    )
    publish = models.BooleanField(
        "publish new stories at once",
        default=False,
        help_text="Off: every new story arrives as a draft.",
    )
    enabled = models.BooleanField(default=True)

    # What the worker found (written by articles/ingest/polling.py only).
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    last_error = models.TextField(blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [("run_ingest_channel", "Can check ingest channels now and retry items")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("admin:articles_ingestchannel_page", args=[self.pk])

    @property
    def tag_names(self) -> list[str]:
        return [name.strip() for name in self.default_tags.split(",") if name.strip()]

    def backoff(self) -> datetime.timedelta:
        """How long to wait before the next look: the interval, doubled for each failure in a
        row, at most a day."""
        base = datetime.timedelta(minutes=max(self.interval_minutes, 1))
        return min(base * 2 ** min(self.consecutive_failures, 10), datetime.timedelta(days=1))

    @property
    def is_due(self) -> bool:
        return self.enabled and (self.next_check_at is None or self.next_check_at <= timezone.now())


class IngestedItem(models.Model):
    """One item (one version of one agency story) a channel saw, and what became of it."""

    class Outcome(models.TextChoices):
        TAKEN = "taken", "Taken"
        HELD = "held", "Held as a draft"
        SKIPPED = "skipped", "Skipped"
        REFUSED = "refused", "Refused: killed by the agency"
        FAILED = "failed", "Failed"

    channel = models.ForeignKey(IngestChannel, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=300, help_text="The item's uri or guid.")
    version = models.CharField(max_length=100)
    name = models.CharField(max_length=300, blank=True, help_text="File name or link.")
    # How `raw` is read (ninjs, feed-entry, wire), and the delivery it came in, so an identical
    # re-delivery is recognised without reading it.
    kind = models.CharField(max_length=20, blank=True)
    fingerprint = models.CharField(max_length=80, blank=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    raw = models.TextField(blank=True, help_text="The copy as delivered.")
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key", "version"], name="ingested_item_once")
        ]
        indexes = [models.Index(fields=["channel", "outcome"], name="ingested_by_outcome")]

    def __str__(self):
        return f"{self.key} v{self.version}"


class KilledStory(models.Model):
    """An agency story its agency killed, by each identity a delivery of it is imported under.

    Remembered whether or not the story was ever imported here, so that copy of it delivered
    after the kill (an earlier version arriving late, a channel replaying) is refused on every
    path: ingest channels, the wire desk and `import_wire` (see articles/wire/importing.py).
    The desk's bookkeeping, not content: nothing readers see changes when one is written.
    """

    external_id = models.CharField(max_length=100, unique=True)
    headline = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the kill came from, e.g. a channel item."
    )
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    killed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-killed_at", "-pk"]

    def __str__(self):
        return f"Killed: {self.headline or self.external_id}"

    @property
    def notice(self) -> str:
        """What an editor is told when copy of this story is refused: which story, when and where
        the kill came from, and why."""
        what = f"“{self.headline}”" if self.headline else "this story"
        when = timezone.localtime(self.killed_at).strftime("%Y-%m-%d %H:%M")
        because = f": {self.reason}" if self.reason else ""
        via = f" ({self.source})" if self.source else ""
        return f"the agency killed {what} on {when}{via}{because}"
