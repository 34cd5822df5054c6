"""The photo library in the admin: thumbnails, search, where each photo is used, safe uploads.

Uploading a new file on a photo's page replaces the file of the same Image record, so every story
using it shows the new photo; the old file and its renditions are removed after the save commits.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ..models import Image
from ..photos.renditions import Crop, current_renditions, generate_renditions
from ..photos.uploads import ACCEPTED_FORMATS, open_checked
from .base import DeskModelAdmin


class PhotoUploadField(forms.FileField):
    """A file field that accepts only what `articles.photos.uploads.open_checked` accepts, with its
    specific messages (too big, too many pixels, not an image, truncated…)."""

    widget = forms.ClearableFileInput(
        attrs={"accept": ",".join(f"image/{fmt.lower()}" for fmt in sorted(ACCEPTED_FORMATS))}
    )

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            open_checked(upload).picture.close()
        return upload


def thumbnail_url(image: Image) -> str:
    """The smallest square thumbnail made for the photo, else its original file."""
    renditions = current_renditions(image, Crop.THUMB)
    return renditions[0].file.url if renditions else image.file.url


def thumbnail(image: Image, size: int) -> str:
    if not (image and image.file):
        return "—"
    return format_html(
        '<img src="{}" alt="" width="{}" height="{}" class="admin-thumbnail">',
        thumbnail_url(image),
        size,
        size,
    )


CHOOSER_PAGE_SIZE = 24


def chooser_view(model_admin, request):
    """Photos with a file, newest first, searchable by caption, credit and alt text."""
    query = request.GET.get("q", "").strip()[:200]
    photos = Image.objects.exclude(file="").prefetch_related("renditions")
    if query:
        photos = photos.filter(
            Q(caption__icontains=query) | Q(credit__icontains=query) | Q(alt_text__icontains=query)
        )
    page = Paginator(photos.order_by("-created_at", "-pk"), CHOOSER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    choices = [(photo, thumbnail_url(photo)) for photo in page]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Choose a lead photo",
        "query": query,
        "page": page,
        "choices": choices,
    }
    template = (
        "admin/articles/image/chooser_results.html"
        if request.GET.get("fragment")
        else "admin/articles/image/chooser.html"
    )
    response = TemplateResponse(request, template, context)
    response["Cache-Control"] = "private, no-store"
    return response


class MissingAltTextFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("present", "Present")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(alt_text__regex=r"^\s*$")
        if self.value() == "present":
            return queryset.exclude(alt_text__regex=r"^\s*$")
        return queryset


class HasFileFilter(admin.SimpleListFilter):
    title = "file"
    parameter_name = "has_file"

    def lookups(self, request, model_admin):
        return [("yes", "Has a file"), ("no", "No file yet")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(file="")
        if self.value() == "no":
            return queryset.filter(file="")
        return queryset


@admin.register(Image)
class ImageAdmin(DeskModelAdmin):
    list_display = [
        "preview",
        "caption",
        "credit",
        "alt_text_status",
        "is_file_photo",
        "dimensions",
        "renditions_status",
        "story_count",
        "created_at",
    ]
    list_display_links = ["preview", "caption"]
    list_filter = [
        HasFileFilter,
        MissingAltTextFilter,
        "renditions_state",
        "is_file_photo",
        "created_at",
    ]
    search_fields = ["caption", "credit", "alt_text"]
    autocomplete_fields = ["credit_source"]
    actions = ["regenerate_renditions"]
    formfield_overrides = {models.ImageField: {"form_class": PhotoUploadField}}
    readonly_fields = [
        "preview_large",
        "used_in",
        "rendition_summary",
        "width",
        "height",
        "uploaded_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["file", "preview_large", "alt_text", "caption"]}),
        ("Credit", {"fields": ["credit", "credit_source", "is_file_photo"]}),
        (
            "Cropping",
            {
                "fields": [("focal_x", "focal_y")],
                "description": "Where the subject is, so cropped versions (cards, thumbnails, "
                "link previews) keep it in frame. Leave empty for the centre.",
            },
        ),
        (
            "Details",
            {
                "fields": [
                    "used_in",
                    "rendition_summary",
                    ("width", "height"),
                    ("uploaded_by", "created_at"),
                ]
            },
        ),
    ]

    class Media:
        # Click or drag on the photo to set the focal point (the number boxes stay as the fallback).
        js = ["articles/desk-focal-point.js"]

    def get_urls(self):
        def chooser(request):
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            return chooser_view(self, request)

        return [
            path("choose/", self.admin_site.admin_view(chooser), name="articles_image_chooser"),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("lead_for_articles", distinct=True))
            .prefetch_related("renditions")
        )

    @admin.display(description="Photo")
    def preview(self, image):
        return thumbnail(image, 64)

    @admin.display(description="Preview")
    def preview_large(self, image):
        if not (image and image.file):
            return "No file yet."
        return format_html(
            '<div class="focal-point" data-focal-point><img src="{}" alt="" width="{}" '
            'height="{}" class="admin-photo-preview" data-focal-point-image></div>',
            image.file.url,
            image.width or "",
            image.height or "",
        )

    @admin.display(description="Alt text", boolean=True)
    def alt_text_status(self, image):
        return bool(image.alt_text.strip())

    @admin.display(description="Size")
    def dimensions(self, image):
        return f"{image.width}×{image.height}" if image.width else "no file yet"

    @admin.display(description="Stories", ordering="story_count")
    def story_count(self, image):
        return image.story_count

    @admin.display(description="Used in")
    def used_in(self, image):
        stories = image.lead_for_articles.order_by("-published_at", "-pk") if image.pk else []
        if not stories:
            return "No story uses this photo yet."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[story.pk]),
                        story.headline,
                        story.get_status_display(),
                    )
                    for story in stories
                ),
            ),
        )

    @admin.display(description="Renditions", ordering="renditions_state")
    def renditions_status(self, image):
        if not image.file:
            return "—"
        if image.renditions_state == Image.RenditionsState.FAILED:
            return format_html(
                '<span class="renditions-failed">Failed: {}</span>', image.renditions_error
            )
        if image.renditions_state == Image.RenditionsState.PENDING:
            return "Renditions pending"
        return "Ready"

    @admin.display(description="Renditions")
    def rendition_summary(self, image):
        if not (image and image.file):
            return "—"
        count = sum(len(current_renditions(image, crop)) for crop in Crop.values)
        made = f"{count} made (WebP and JPEG, several widths)" if count else "not made yet"
        if image.renditions_state == Image.RenditionsState.PENDING:
            retry = (
                f" (try {image.renditions_attempts + 1}; last error: {image.renditions_error})"
                if image.renditions_error
                else ""
            )
            return f"Renditions pending: {made}; pages show the original meanwhile{retry}."
        if image.renditions_state == Image.RenditionsState.FAILED:
            return format_html(
                "Renditions failed after {} tries: {}. Pages show the original. Fix the cause, "
                "then use “Regenerate renditions” in the list.",
                image.renditions_attempts,
                image.renditions_error,
            )
        return made

    @admin.action(description="Regenerate renditions of the selected photos")
    def regenerate_renditions(self, request, queryset):
        made = 0
        for image in queryset.exclude(file=""):
            made += generate_renditions(image)
        queryset.exclude(file="").update(
            renditions_state=Image.RenditionsState.READY, renditions_error="", renditions_attempts=0
        )
        self.message_user(request, f"Made {made} renditions.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data or not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
