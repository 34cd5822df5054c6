"""Ingest channels in the admin: editors with the channel permissions configure them; each has
a page with what it took, held, skipped and failed (reason and raw copy), a "Look now" button
and a retry button per failed item (permission "Can check ingest channels now and retry items")."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from ..accounts import audit
from ..background.jobs import enqueue
from ..ingest import polling
from ..ingest.models import IngestChannel, IngestedItem
from .base import AuditedDeletes, DeskModelAdmin

Outcome = IngestedItem.Outcome
RUN_PERMISSION = "articles.run_ingest_channel"


@admin.register(IngestChannel)
class IngestChannelAdmin(AuditedDeletes, DeskModelAdmin):
    deleted_action = audit.Action.CHANNEL_DELETED
    list_display = ["name", "kind", "enabled", "last_checked_at", "health", "page"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "location", "desk"]
    autocomplete_fields = ["source"]
    readonly_fields = ["last_checked_at", "next_check_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "enabled", "kind", "location", "s3_endpoint_url", "format"]}),
        (
            "Stories",
            {
                "fields": [
                    "interval_minutes",
                    "default_tags",
                    "source",
                    "desk",
                    "on_update",
                    "publish",
                ],
            },
        ),
        ("Last look", {"fields": ["last_checked_at", "next_check_at", "last_error"]}),
    ]

    # Who set up, changed or removed a channel is in the audit trail (articles/accounts/audit.py),
    # written in the save's own transaction (DeskModelAdmin.write_block).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(audit.Action.CHANNEL_CREATED, user=request.user, target=obj)
        elif form.changed_data:
            changed = {name: _plain(form.cleaned_data.get(name)) for name in form.changed_data}
            audit.record(
                audit.Action.CHANNEL_CHANGED, user=request.user, target=obj, details=changed
            )

    @admin.display(description="Health")
    def health(self, channel):
        if channel.last_error:
            # The error itself is on the channel page.
            return format_html(
                '<span class="ingest-failing">Failing ({}× in a row)</span>',
                channel.consecutive_failures,
            )
        return "OK" if channel.last_checked_at else "Not looked yet"

    @admin.display(description="Items")
    def page(self, channel):
        return format_html('<a href="{}">Items and failures</a>', channel.get_absolute_url())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/page/", view(self.channel_page), name="articles_ingestchannel_page"),
            path("<int:pk>/look/", view(self.look_now), name="articles_ingestchannel_look"),
            path(
                "items/<int:item_pk>/retry/",
                view(self.retry_item),
                name="articles_ingestchannel_retry",
            ),
            *super().get_urls(),
        ]

    def channel_page(self, request, pk):
        channel = get_object_or_404(IngestChannel, pk=pk)
        if not self.has_view_permission(request, channel):
            raise PermissionDenied
        counts = dict(
            channel.items.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
        )
        outcome = request.GET.get("outcome", "")
        items = channel.items.select_related("article")
        if outcome:
            if outcome not in Outcome.values:
                raise Http404("No such outcome")
            items = items.filter(outcome=outcome)
        page = Paginator(items, 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": channel.name,
            "channel": channel,
            "counts": [(value, label, counts.get(value, 0)) for value, label in Outcome.choices],
            "outcome": outcome,
            "page": page,
            "can_run": request.user.has_perm(RUN_PERMISSION),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/articles/ingestchannel/page.html", context)

    def _check_run(self, request):
        if not request.user.has_perm(RUN_PERMISSION):
            raise PermissionDenied

    @staticmethod
    def _back(channel, outcome=""):
        url = reverse("admin:articles_ingestchannel_page", args=[channel.pk])
        return redirect(f"{url}?outcome={outcome}" if outcome else url)

    def look_now(self, request, pk):
        return require_POST(self._look_now)(request, pk)

    def _look_now(self, request, pk):
        self._check_run(request)
        channel = get_object_or_404(IngestChannel, pk=pk)
        enqueue(polling.poll_channel, channel.pk)
        messages.success(request, f"The worker will look at “{channel}” now.")
        return self._back(channel)

    def retry_item(self, request, item_pk):
        return require_POST(self._retry_item)(request, item_pk)

    def _retry_item(self, request, item_pk):
        self._check_run(request)
        item = get_object_or_404(IngestedItem.objects.select_related("channel"), pk=item_pk)
        if item.outcome != Outcome.FAILED:
            messages.info(request, "That item is not a failed one.")
            return self._back(item.channel)
        outcome = polling.retry(item)
        item.refresh_from_db()
        if outcome == Outcome.FAILED:
            messages.error(request, f"Still failing: {item.reason}")
        else:
            messages.success(request, f"{item.key} (version {item.version}): {outcome}.")
        return self._back(item.channel, "failed")


def _plain(value):
    """A form value as the audit entry's JSON keeps it (the new value of a changed field)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)
