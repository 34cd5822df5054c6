"""The wire desk in the admin: paste or upload agency copy, get drafts, review suggested tags.

- /admin/articles/wire-desk/ — paste one story or upload files (the wire text format or ninjs
  JSON); each becomes a draft (a re-import of a draft updates it), and the editor lands on the first
  one, with the tags and sources its text mentions listed for review. An agency kill withdraws
  its story (or, for one never imported, is remembered); copy of a killed story is refused.
- /admin/articles/article/<id>/suggest-tags/ — the same suggestions for any story, as checkboxes;
  only the ones the editor ticks are added, through the normal save (version check, revision).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .. import changes
from ..editorial import revisions, services
from ..models import Article, Source, Tag
from ..wire.importing import (
    CopyError,
    external_id_of,
    identities_of,
    import_parsed,
    killed_story,
    parse_copy,
)
from ..wire.ninjs import NinjsKill
from ..wire.suggest import suggestions_for
from ..wire.text import WireKill

MAX_FILES = 20
MAX_FILE_BYTES = 2_000_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.json,text/plain"}))
        # An empty file is reported by name with the others, not as a form error.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class WireDeskForm(forms.Form):
    text = forms.CharField(
        label="Paste wire copy",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"}),
        help_text="One story: the headline on the first line, then the standfirst, an optional "
        "photo caption ending in [Photographer/Agency], the body and an optional "
        "“Source: …” line. A ninjs JSON document works too.",
    )
    files = MultipleFileField(
        label="Or upload files",
        required=False,
        help_text=f"Wire text (.txt) or ninjs (.json); up to {MAX_FILES} files of at most "
        f"{MAX_FILE_BYTES // 1_000_000} MB each.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise ValidationError(f"Upload at most {MAX_FILES} files at a time.")
        too_big = [f.name for f in files if f.size > MAX_FILE_BYTES]
        if too_big:
            raise ValidationError(
                f"Larger than {MAX_FILE_BYTES // 1_000_000} MB: {', '.join(too_big)}."
            )
        return files

    def clean(self):
        cleaned = super().clean()
        nothing = not (cleaned.get("text") or "").strip() and not cleaned.get("files")
        if nothing and not self.errors:
            raise ValidationError("Paste a story or choose at least one file.")
        return cleaned

    def copies(self) -> list[tuple[str, bytes | str]]:
        """(label, content) for each story to import, the pasted one first."""
        found = []
        if (self.cleaned_data.get("text") or "").strip():
            found.append(("Pasted text", self.cleaned_data["text"]))
        for upload in self.cleaned_data.get("files") or []:
            found.append((upload.name, upload.read()))
        return found


@dataclass
class DeskOutcome:
    label: str
    article: Article | None = None
    created: bool = False
    error: str = ""
    killed: bool = False
    note: str = ""  # a kill with nothing to withdraw: what the editor is told


def import_copy(label: str, content: bytes | str, *, user) -> DeskOutcome:
    """Import one story as a draft for `user`; never touches a story readers can already see."""
    try:
        story = parse_copy(content, name=label)
    except CopyError as exc:
        return DeskOutcome(label, error=str(exc))
    if isinstance(story, WireKill | NinjsKill):
        try:
            result = import_parsed(story, user=user)
        except (ValidationError, PermissionDenied, *CopyError) as exc:
            return DeskOutcome(label, error=" ".join(getattr(exc, "messages", [str(exc)])))
        if result.article is None:
            return DeskOutcome(
                label,
                killed=True,
                note=f"Nothing to withdraw for {label}: the agency killed "
                f"“{story.headline or '?'}”, which was never imported here. The kill is "
                "remembered: copy of this story that arrives later will be refused.",
            )
        return DeskOutcome(label, article=result.article, killed=True)
    if killed := killed_story(identities_of(story)):
        return DeskOutcome(label, error=f"refused: {killed.notice}", killed=True)
    existing = Article.objects.filter(external_id=external_id_of(story)).first()
    if existing is not None:
        if existing.status not in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
            return DeskOutcome(
                label,
                article=existing,
                error=f"already a {existing.get_status_display().lower()} story "
                f"(“{existing.headline}”): edit it there instead",
            )
        if not services.can_edit(user, existing):
            return DeskOutcome(label, article=existing, error="you cannot edit that story")
    try:
        result = import_parsed(story, user=user, how="on the wire desk")
    except CopyError as exc:  # the story was killed meanwhile
        return DeskOutcome(label, error=f"refused: {exc}", killed=True)
    except (ValidationError, DatabaseError) as exc:
        return DeskOutcome(label, error=f"could not be saved: {exc}")
    return DeskOutcome(label, article=result.article, created=result.created)


def _suggestions_message(request, article):
    tags, sources = suggestions_for(article)
    new_tags = [s.name for s in tags if not s.applied]
    new_sources = [s.name for s in sources if not s.applied]
    if not (new_tags or new_sources):
        return
    parts = []
    if new_tags:
        parts.append("tags " + ", ".join(new_tags))
    if new_sources:
        parts.append("sources " + ", ".join(new_sources))
    messages.info(
        request,
        format_html(
            '“{}” mentions {}. <a href="{}">Review the suggestions</a>; nothing is added until '
            "you choose.",
            article.headline,
            " and ".join(parts),
            reverse("wiredesk:suggest-tags", args=[article.pk]),
        ),
    )


def wire_desk_view(request):
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied
    form = WireDeskForm(request.POST or None, request.FILES or None)
    outcomes: list[DeskOutcome] = []
    if request.method == "POST" and form.is_valid():
        outcomes = [
            import_copy(label, content, user=request.user) for label, content in form.copies()
        ]
        imported = [o for o in outcomes if o.article is not None and not o.error]
        failed = [o for o in outcomes if o.error]
        for outcome in outcomes:
            if outcome.note:
                messages.warning(request, outcome.note)
        if imported:
            for outcome in imported:
                if outcome.killed:
                    messages.warning(
                        request,
                        f"Withdrew “{outcome.article.headline}” everywhere: the agency killed "
                        f"it ({outcome.label}).",
                    )
                    continue
                verb = "Created" if outcome.created else "Updated"
                messages.success(
                    request,
                    format_html(
                        "{} draft “{}” from {}.",
                        verb,
                        outcome.article.headline,
                        outcome.label,
                    ),
                )
                _suggestions_message(request, outcome.article)
            for outcome in failed:
                messages.error(request, f"Not imported from {outcome.label}: {outcome.error}")
            first = imported[0].article
            return redirect("admin:articles_article_change", first.pk)
    context = {
        **admin.site.each_context(request),
        "title": "Import wire copy",
        "form": form,
        "failed": [o for o in outcomes if o.error],
        "opts": Article._meta,
        "max_files": MAX_FILES,
    }
    return TemplateResponse(request, "admin/articles/wiredesk.html", context)


class AcceptSuggestionsForm(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    sources = forms.ModelMultipleChoiceField(
        queryset=Source.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, tag_suggestions, source_suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what is suggested (and not already on the story) can be chosen.
        self.fields["tags"].queryset = Tag.objects.filter(
            pk__in=[s.item.pk for s in tag_suggestions if not s.applied]
        )
        self.fields["sources"].queryset = Source.objects.filter(
            pk__in=[s.item.pk for s in source_suggestions if not s.applied]
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("tags") or cleaned.get("sources")):
            raise ValidationError("Tick at least one suggestion to add, or go back to the story.")
        return cleaned


def suggest_tags_view(request, pk):
    article = Article.objects.live().filter(pk=pk).first()
    if article is None:
        raise Http404("No such story.")
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    can_edit = services.can_edit(request.user, article)
    tag_suggestions, source_suggestions = suggestions_for(article)
    form = AcceptSuggestionsForm(
        request.POST if request.method == "POST" else None,
        tag_suggestions=tag_suggestions,
        source_suggestions=source_suggestions,
        initial={"opened_version": article.version},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            added = _accept(request, article, form)
            if added is not None:
                messages.success(request, f"Added to “{article.headline}”: {added}.")
                return redirect("admin:articles_article_change", article.pk)
    context = {
        **admin.site.each_context(request),
        "title": f"Suggested tags for “{article.headline}”",
        "article": article,
        "tag_suggestions": tag_suggestions,
        "source_suggestions": source_suggestions,
        "form": form,
        "can_edit": can_edit,
        "opts": Article._meta,
    }
    return TemplateResponse(request, "admin/articles/suggest_tags.html", context)


def _accept(request, article, form) -> str | None:
    """Add the chosen tags and sources with a normal, version-checked save; None on a conflict."""
    tags, sources = list(form.cleaned_data["tags"]), list(form.cleaned_data["sources"])
    try:
        with changes.atomic(), revisions.revision_block():
            services.save_article(
                article=article,
                user=request.user,
                expected_version=form.cleaned_data["opened_version"],
                action="Added suggested tags",
            )
            article.tags.add(*tags)
            article.sources.add(*sources)
    except services.EditConflict:
        messages.error(
            request, "Someone changed this story since you opened the suggestions: check again."
        )
        return None
    except ValidationError as exc:
        messages.error(request, format_html_join(" ", "{}", ((m,) for m in exc.messages)))
        return None
    return ", ".join(item.name for item in [*tags, *sources])


app_name = "wiredesk"

urlpatterns = [
    path("articles/wire-desk/", admin.site.admin_view(wire_desk_view), name="import"),
    path(
        "articles/article/<int:pk>/suggest-tags/",
        admin.site.admin_view(suggest_tags_view),
        name="suggest-tags",
    ),
]
