"""People and their access in the desk: users and roles (with every access change audited), the
audit trail (read-only, filterable, exported as CSV) and "Where you're signed in".
"""

import csv
import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..accounts import audit, second_factor
from ..accounts.models import AuditEntry, UserSession
from ..accounts.sessions import end_sessions
from .base import AuditedDeletes
from .second_factor import urlpatterns as second_factor_urls

User = get_user_model()


# ---- Users and roles: every change of access is an audit entry ---------------------------------


def access_of(user) -> dict:
    """What a person may do in the desk, as compared before and after a change."""
    if user.pk is None:
        return {}
    return {
        "active": user.is_active,
        "desk access": user.is_staff,
        "superuser": user.is_superuser,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def _difference(before: dict, after: dict) -> dict:
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


admin.site.unregister(User)
admin.site.unregister(Group)
# django-otp's own device lists would let secrets be edited or removed unaudited; a person's second
# factor is reset with the audited action on the user list instead.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class DeskUserAdmin(AuditedDeletes, UserAdmin):
    deleted_action = audit.Action.USER_DELETED
    actions = ["reset_second_factor"]

    @admin.action(
        description="Reset two-step sign-in (lost phone and codes)", permissions=["change"]
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            second_factor.remove_second_factor(request, user)
        self.message_user(
            request,
            f"Two-step sign-in reset for {len(queryset)} people; they set it up again at "
            "their next sign-in if their role requires it.",
        )

    def save_model(self, request, obj, form, change):
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        obj.access_before = access_of(stored) if stored else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not change:
            audit.record(
                audit.Action.USER_CREATED, user=request.user, target=user, details=access_of(user)
            )
            return
        difference = _difference(getattr(user, "access_before", {}), access_of(user))
        if difference:
            audit.record(
                audit.Action.USER_CHANGED, user=request.user, target=user, details=difference
            )


def _permissions_of(group) -> list[str]:
    if group.pk is None:
        return []
    return sorted(
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    )


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    def save_model(self, request, obj, form, change):
        stored = Group.objects.filter(pk=obj.pk).first() if change else None
        obj.permissions_before = _permissions_of(stored) if stored else []
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        before, after = set(group.permissions_before), set(_permissions_of(group))
        if before != after or not change:
            audit.record(
                audit.Action.ROLE_CHANGED,
                user=request.user,
                target=group,
                details={"added": sorted(after - before), "removed": sorted(before - after)},
            )

    def delete_model(self, request, obj):
        members = list(obj.user_set.all())
        audit.record(
            audit.Action.ROLE_CHANGED,
            user=request.user,
            target=obj,
            details={"deleted": True, "members": [m.get_username() for m in members]},
        )
        super().delete_model(request, obj)
        for member in members:
            if not member.is_superuser and not member.groups.exists():
                end_sessions(member)


# ---- The audit trail ---------------------------------------------------------------------------

CSV_COLUMNS = [
    ("when", lambda e: e.at.isoformat()),
    ("user", lambda e: e.username),
    ("action", lambda e: e.get_action_display()),
    ("target type", lambda e: e.target_type.model if e.target_type else ""),
    ("target id", lambda e: e.target_id),
    ("target", lambda e: e.target_label),
    ("address", lambda e: e.ip_address or ""),
    ("browser", lambda e: e.user_agent),
    ("details", lambda e: json.dumps(e.details, sort_keys=True) if e.details else ""),
]


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def csv_response(entries) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([name for name, _ in CSV_COLUMNS])
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow([_csv_safe(str(value(entry) or "")) for _, value in CSV_COLUMNS])

    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers too; seen only with the `view_auditentry` permission."""

    list_display = ["at", "username", "action", "target_label", "ip_address"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["username", "target_label", "ip_address", "user_agent", "target_id"]
    date_hierarchy = "at"
    list_select_related = ["target_type"]
    actions = ["export_csv"]
    list_per_page = 50
    fields = [
        "at",
        "username",
        "user",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "ip_address",
        "user_agent",
        "details",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="articles_auditentry_export",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Export selected entries as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(queryset.select_related("target_type"))

    def export_view(self, request):
        """Every entry the list shows with its current filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return csv_response(changelist.get_queryset(request).select_related("target_type"))

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        export_url = reverse("admin:articles_auditentry_export") + (f"?{query}" if query else "")
        extra_context = {**(extra_context or {}), "export_url": export_url}
        return super().changelist_view(request, extra_context)


# ---- Where you're signed in ------------------------------------------------------------------


def sessions_view(request):
    current = request.session.session_key
    if request.method == "POST":
        ended = end_sessions(request.user, keep=current)
        audit.record(audit.Action.SESSIONS_ENDED, user=request.user, details={"sessions": ended})
        messages.success(
            request,
            f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''} ended)."
            if ended
            else "You were not signed in anywhere else.",
        )
        return HttpResponseRedirect(reverse("desk_sessions"))
    sessions = list(UserSession.objects.filter(user=request.user))
    for session in sessions:
        session.is_current = session.session_key == current
    context = {
        **admin.site.each_context(request),
        "title": "Where you’re signed in",
        "sessions": sorted(sessions, key=lambda s: not s.is_current),
        "others": sum(not s.is_current for s in sessions),
    }
    return TemplateResponse(request, "admin/accounts/sessions.html", context)


urlpatterns = [
    path("sessions/", admin.site.admin_view(sessions_view), name="desk_sessions"),
    *second_factor_urls,
]
