"""Bulk actions on the list of stories: submit for review, publish, unpublish, move to the trash,
add a tag. Each story goes through its editorial service (which checks the user's role and the
story's state); the whole action is one change set (the changelist's write block), and it ends in
one summary of what was done, what was left as it was and what was refused, and why."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from ..editorial import services
from ..models import Article, clean_tag_name

Status = Article.Status


class BulkActionForm(ActionForm):
    tag = forms.CharField(
        required=False,
        max_length=100,
        label="Tag",
        help_text="For “Add a tag”.",
        widget=forms.TextInput(attrs={"placeholder": "Tag for “Add a tag”", "size": 18}),
    )


@dataclass
class Outcome:
    done: list[Article] = field(default_factory=list)
    unchanged: list[Article] = field(default_factory=list)
    refused: list[tuple[Article, str]] = field(default_factory=list)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "not allowed"


def _stories(count: int) -> str:
    return f"{count} {'story' if count == 1 else 'stories'}"


def run(request, queryset, *, done_as: str, unchanged_as: str, unchanged, apply) -> Outcome:
    """Apply `apply(article)` to every story of `queryset` not `unchanged(article)`, each in its
    own savepoint (a refusal undoes only that story), and tell the editor what happened."""
    outcome = Outcome()
    for article in queryset.order_by("pk"):
        if unchanged(article):
            outcome.unchanged.append(article)
            continue
        try:
            with transaction.atomic():
                apply(article)
        except (PermissionDenied, ValidationError) as exc:
            outcome.refused.append((article, _reason(exc)))
        else:
            outcome.done.append(article)
    parts = []
    if outcome.done:
        parts.append(f"{done_as} {_stories(len(outcome.done))}.")
    if outcome.unchanged:
        parts.append(f"{_stories(len(outcome.unchanged)).capitalize()} {unchanged_as}.")
    if not outcome.refused:
        messages.success(request, " ".join(parts) or "Nothing to do.")
    else:
        refused = "; ".join(f"“{article}”: {reason}" for article, reason in outcome.refused)
        parts.append(f"Refused {_stories(len(outcome.refused))}: {refused}")
        level = messages.WARNING if outcome.done else messages.ERROR
        messages.add_message(request, level, " ".join(parts))
    return outcome


@admin.action(description="Submit for review")
def submit_for_review(modeladmin, request, queryset):
    run(
        request,
        queryset,
        done_as="Submitted for review:",
        unchanged_as="already in review or past it",
        unchanged=lambda a: a.status not in (Status.DRAFT, Status.UNPUBLISHED),
        apply=lambda a: services.submit_for_review(article=a, user=request.user),
    )


@admin.action(description="Publish now", permissions=["publish"])
def publish_now(modeladmin, request, queryset):
    run(
        request,
        queryset,
        done_as="Published",
        unchanged_as="already published",
        unchanged=lambda a: a.desk_status == Status.PUBLISHED,
        apply=lambda a: services.publish_article(article=a, user=request.user),
    )


@admin.action(description="Unpublish", permissions=["publish"])
def unpublish(modeladmin, request, queryset):
    run(
        request,
        queryset,
        done_as="Unpublished",
        unchanged_as="not published or scheduled",
        unchanged=lambda a: a.status != Status.PUBLISHED,
        apply=lambda a: services.unpublish_article(article=a, user=request.user),
    )


@admin.action(description="Move to the trash", permissions=["delete"])
def move_to_trash(modeladmin, request, queryset):
    run(
        request,
        queryset,
        done_as="Moved to the trash:",
        unchanged_as="already in the trash",
        unchanged=lambda a: a.deleted_at is not None,
        apply=lambda a: services.delete_article(article=a, user=request.user),
    )


@admin.action(description="Add a tag")
def add_tag(modeladmin, request, queryset):
    name = clean_tag_name(request.POST.get("tag", ""))
    if not name:
        messages.error(request, "Type the tag to add in the “Tag” box, then run “Add a tag”.")
        return
    run(
        request,
        queryset,
        done_as=f"Tagged “{name}”:",
        unchanged_as=f"already tagged “{name}”",
        unchanged=lambda a: any(t.name.casefold() == name.casefold() for t in a.tags.all()),
        apply=lambda a: services.add_tag(article=a, user=request.user, name=name),
    )


ACTIONS = [submit_for_review, publish_now, unpublish, move_to_trash, add_tag]


def run_beyond_role(modeladmin, request, queryset) -> HttpResponseRedirect | None:
    """An action the user's menu does not offer them (a reporter's "Publish now" sent by hand or
    from an edited page) is not met with Django's bare "No action selected": it goes story by
    story through the services, which refuse it, and the summary says why. None when the action
    is on their menu (Django runs it as usual) or is not one of the desk's."""
    try:
        name = request.POST.getlist("action")[int(request.POST.get("index", 0))]
    except (ValueError, IndexError):
        return None
    action = {action.__name__: action for action in ACTIONS}.get(name)
    selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
    if action is None or not selected or name in modeladmin.get_actions(request):
        return None
    action(modeladmin, request, queryset.filter(pk__in=selected))
    return HttpResponseRedirect(request.get_full_path())
