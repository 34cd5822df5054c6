"""Sources (agencies, outlets) in the desk, with how many published stories each has."""

from django.contrib import admin

from ..models import Source
from .base import DeskModelAdmin


@admin.register(Source)
class SourceAdmin(DeskModelAdmin):
    list_display = ["name", "slug", "url", "published_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_published_counts()

    @admin.display(description="Published stories", ordering="story_count")
    def published_count(self, source):
        return source.story_count
