"""What every page of the desk that writes has in common."""

from django.contrib import admin

from .. import changes


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
