"""What every page of the desk that writes has in common."""

from django.contrib import admin

from .. import changes
from ..accounts import audit


class DeskModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every write (a save, a delete, a bulk action) is one change set: the
    listings, search index and caches follow once, however many rows the request touched."""

    def write_block(self):
        """The context every write of this admin runs in (one transaction, one change set)."""
        return changes.atomic()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with self.write_block():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method != "POST":
            return super().delete_view(request, object_id, extra_context)
        with self.write_block():
            return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        with self.write_block():  # bulk actions and list edits
            return super().changelist_view(request, extra_context)


class AuditedDeletes:
    """Mixed into a ModelAdmin whose deletes, one or a whole selection, go into the audit trail
    (articles/accounts/audit.py) as `deleted_action`."""

    deleted_action: str

    def delete_model(self, request, obj):
        audit.record(self.deleted_action, user=request.user, target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(self.deleted_action, user=request.user, target=obj)
        super().delete_queryset(request, queryset)
