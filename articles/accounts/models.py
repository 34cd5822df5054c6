"""The accounts tables: failed sign-ins, the audit trail and where each person is signed in.

They refer to users and content types only; articles/models.py imports them to register them.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django_otp.models import Device


class LoginFailure(models.Model):
    """Failed sign-ins counted for one user name or one address, until `expires_at`.

    The throttle's store (articles/accounts/throttle.py): in the database, so it holds whatever
    happens to the cache and every app server counts together.
    """

    class Kind(models.TextChoices):
        USER = "user", "User name"
        ADDRESS = "address", "Address"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The address, or a SHA-256 of the case-folded user name (names people mistype stay unread).
    identifier = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "identifier"], name="login_failure_key")
        ]

    def __str__(self):
        return f"{self.kind} {self.identifier}: {self.count}"


class AuditEntry(models.Model):
    """One privileged action: who, when, from where, what and on what.

    Written by the services in the transaction of the change itself (articles/accounts/audit.py).
    The who and the target are copied as text, so an entry still reads right after the user or the
    thing is deleted. Never edited: the admin shows these read-only.
    """

    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSIONS_ENDED = "sessions_ended", "Other sessions ended"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        SECOND_FACTOR_ADDED = "second_factor_added", "Second factor added"
        SECOND_FACTOR_REMOVED = "second_factor_removed", "Second factor removed"
        RECOVERY_CODES_MADE = "recovery_codes_made", "Recovery codes made"
        SECOND_FACTOR_REQUIRED = "second_factor_required", "Second factor required for a role"
        USER_CREATED = "user_created", "User created"
        USER_CHANGED = "user_changed", "User's access changed"
        USER_DELETED = "user_deleted", "User deleted"
        ROLE_CHANGED = "role_changed", "Role's permissions changed"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        TRASHED = "trashed", "Moved to the trash"
        RESTORED = "restored", "Restored from the trash"
        REVISION_RESTORED = "revision_restored", "Revision restored"
        TAGS_MERGED = "tags_merged", "Tags merged"
        SHARE_LINK_CREATED = "share_link_created", "Share link created"
        SHARE_LINK_REVOKED = "share_link_revoked", "Share link revoked"
        CHANNEL_CREATED = "channel_created", "Ingest channel created"
        CHANNEL_CHANGED = "channel_changed", "Ingest channel changed"
        CHANNEL_DELETED = "channel_deleted", "Ingest channel deleted"

    at = models.DateTimeField("when", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField("user name", max_length=150, blank=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField("target", max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["user", "-at"], name="audit_by_user"),
            models.Index(fields=["target_type", "target_id"], name="audit_by_target"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} by {self.username or 'the system'}"


class UserSession(models.Model):
    """A session someone signed in with: what device, from where, last seen when.

    Written at sign-in; `session_key` is the session's key in the session store, so ending a
    session deletes it there too (articles/accounts/sessions.py).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} from {self.ip_address}"


class SecondFactorRequirement(models.Model):
    """Members of this role must sign in with a second factor (set by an editor-in-chief)."""

    role = models.OneToOneField(
        "auth.Group", on_delete=models.CASCADE, related_name="second_factor_requirement"
    )
    required_since = models.DateTimeField(auto_now_add=True)
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "second-factor requirement"

    def __str__(self):
        return f"Second factor required for {self.role}"


class Passkey(Device):
    """A passkey (WebAuthn credential) a person signs in with as their second factor.

    A django-otp device so that a session verified with it counts like one verified with a code;
    it checks no typed codes (articles/accounts/passkeys.py does the WebAuthn ceremony).
    """

    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = "passkey"

    def verify_token(self, token):
        return False
