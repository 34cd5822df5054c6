"""The audit trail (articles/accounts/audit.py): an entry for each privileged action, written in
the action's own transaction, readable (never writable) in the desk, exportable as CSV."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.accounts.models import AuditEntry
from articles.editorial import services
from articles.editorial.tagging import merge_tags
from articles.models import Article, Tag

from ..helpers.factories import make_article, make_draft, make_editor, make_staff

PASSWORD = "correct horse battery staple"
Action = AuditEntry.Action
User = get_user_model()


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return make_staff("ed", role="Editor")


def only_entry(action) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [str(e) for e in AuditEntry.objects.all()]
    return entries[0]


def sign_in(client, username, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (Test) Firefox/140",
        **extra,
    )


class TestSigningIn:
    def test_sign_in_sign_out_and_a_failed_sign_in(self, client, editor):
        assert sign_in(client, "ed", "wrong").status_code == 200
        failed = only_entry(Action.SIGN_IN_FAILED)
        assert failed.username == "ed" and failed.user is None
        assert failed.ip_address == "203.0.113.9"

        assert sign_in(client, "ed", PASSWORD).status_code == 302
        entry = only_entry(Action.SIGNED_IN)
        assert (entry.user, entry.username, entry.ip_address) == (editor, "ed", "203.0.113.9")
        assert entry.user_agent == "Mozilla/5.0 (Test) Firefox/140"

        client.post("/admin/logout/", REMOTE_ADDR="203.0.113.9")
        assert only_entry(Action.SIGNED_OUT).user == editor


class TestEditorialActions:
    def test_publish_schedule_unpublish(self, editor):
        story = make_draft("The draft")
        services.publish_article(article=story, user=editor)
        entry = only_entry(Action.PUBLISHED)
        assert (entry.user, entry.target_label) == (editor, "The draft")
        assert entry.target_id == str(story.pk)

        services.unpublish_article(article=story, user=editor)
        assert only_entry(Action.UNPUBLISHED).target_id == str(story.pk)

        later = timezone.now() + datetime.timedelta(days=1)
        services.schedule_article(article=story, user=editor, at=later)
        scheduled_for = parse_datetime(only_entry(Action.SCHEDULED).details["published_at"])
        assert abs(scheduled_for - later) < datetime.timedelta(milliseconds=1)

    def test_publishing_changes_to_a_live_story(self, editor):
        story = make_article("Live story")
        story.headline = "Live story, updated"
        services.publish_changes(article=story, user=editor)
        entry = only_entry(Action.PUBLISHED)
        assert entry.details == {"changes_to_live_story": True}
        assert entry.target_label == "Live story, updated"

    def test_trash_and_restore(self, editor):
        story = make_article("Trashed story")
        services.delete_article(article=story, user=editor)
        services.recover_article(article=story, user=editor)
        assert only_entry(Action.TRASHED).target_label == "Trashed story"
        assert only_entry(Action.RESTORED).target_label == "Trashed story"

    def test_revision_restore_and_share_links(self, editor):
        story = make_draft("Shared")
        services.save_article(article=story, user=editor)
        link = services.create_share_link(article=story, user=editor)
        services.revoke_share_link(link=link, user=editor)
        services.restore_revision(revision=story.revisions.order_by("number").first(), user=editor)
        assert only_entry(Action.SHARE_LINK_CREATED).details["share_link"] == link.pk
        assert only_entry(Action.SHARE_LINK_REVOKED).target_id == str(story.pk)
        assert only_entry(Action.REVISION_RESTORED).details == {"revision": 1}

    def test_tag_merge(self, editor):
        keep, merged = Tag.objects.create(name="Mali"), Tag.objects.create(name="Mali news")
        make_article(tags=[merged])
        merge_tags([merged], into=keep, user=editor)
        entry = only_entry(Action.TAGS_MERGED)
        assert entry.target_label == "Mali"
        assert entry.details["merged"] == [{"name": "Mali news", "slug": "mali-news"}]

    def test_an_action_that_fails_leaves_no_entry(self, db):
        reporter = make_staff("rep", role="Reporter")
        with pytest.raises(PermissionDenied):
            services.publish_article(article=make_draft(), user=reporter)
        story = make_draft()
        editor = make_staff("ed2", role="Editor")
        with pytest.raises(RuntimeError), transaction.atomic():
            services.publish_article(article=story, user=editor)
            raise RuntimeError("rolled back")
        assert not AuditEntry.objects.exists()

    def test_the_entry_outlives_the_story_and_the_user(self, editor):
        story = make_draft("Soon gone")
        services.publish_article(article=story, user=editor)
        Article.objects.filter(pk=story.pk).delete()
        editor.delete()
        entry = only_entry(Action.PUBLISHED)
        assert (entry.user, entry.username, entry.target_label) == (None, "ed", "Soon gone")


class TestAccessChanges:
    def test_roles_and_permissions_changed_on_a_user(self, client, db):
        chief = make_editor("chief")
        reporter = make_staff("rep", role="Reporter")
        client.force_login(chief)
        page = client.get(reverse("admin:auth_user_change", args=[reporter.pk]))
        assert page.status_code == 200
        form = page.context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if value is not None and name not in {"password", "groups", "user_permissions"}
        }
        data.update(
            {
                "date_joined_0": reporter.date_joined.strftime("%Y-%m-%d"),
                "date_joined_1": reporter.date_joined.strftime("%H:%M:%S"),
                "groups": [Group.objects.get(name="Editor").pk],
                "user_permissions": [Permission.objects.get(codename="view_auditentry").pk],
                "is_staff": "on",
                "is_active": "on",
            }
        )
        data.pop("date_joined", None)
        data.pop("last_login", None)
        response = client.post(reverse("admin:auth_user_change", args=[reporter.pk]), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        entry = only_entry(Action.USER_CHANGED)
        assert entry.user == chief and entry.target_label == "rep"
        assert entry.details["roles"] == {"before": ["Reporter"], "after": ["Editor"]}
        assert entry.details["permissions"]["after"] == ["articles.view_auditentry"]

    def test_a_role_losing_a_permission(self, client, db):
        client.force_login(make_editor("chief"))
        role = Group.objects.get(name="Reporter")
        kept = list(role.permissions.exclude(codename="add_image").values_list("pk", flat=True))
        response = client.post(
            reverse("admin:auth_group_change", args=[role.pk]),
            {"name": "Reporter", "permissions": kept},
        )
        assert response.status_code == 302
        assert only_entry(Action.ROLE_CHANGED).details == {
            "added": [],
            "removed": ["articles.add_image"],
        }


class TestTheAuditList:
    @pytest.fixture
    def entries(self, editor):
        story = make_draft('=HYPERLINK("http://evil")')
        services.publish_article(article=story, user=editor)
        services.unpublish_article(article=story, user=editor)

    def test_the_editor_in_chief_reads_it_and_cannot_change_it(self, client, entries):
        chief = make_staff("chief", role="Editor-in-chief")
        client.force_login(chief)
        listing = client.get(reverse("admin:articles_auditentry_changelist"))
        assert listing.status_code == 200
        assert "Unpublished" in listing.content.decode()
        entry = AuditEntry.objects.first()
        assert client.get(reverse("admin:articles_auditentry_add")).status_code == 403
        detail = client.get(reverse("admin:articles_auditentry_change", args=[entry.pk]))
        assert detail.status_code == 200 and b'name="_save"' not in detail.content
        client.post(reverse("admin:articles_auditentry_delete", args=[entry.pk]), {"post": "yes"})
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_superusers_cannot_change_it_either(self, client, entries):
        client.force_login(make_editor("root"))
        entry = AuditEntry.objects.first()
        before = AuditEntry.objects.count()
        response = client.post(
            reverse("admin:articles_auditentry_change", args=[entry.pk]), {"username": "x"}
        )
        assert response.status_code == 403
        response = client.post(
            reverse("admin:articles_auditentry_changelist"),
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert AuditEntry.objects.count() == before

    def test_an_editor_without_the_permission_cannot_see_it(self, client, entries, editor):
        client.force_login(editor)
        assert client.get(reverse("admin:articles_auditentry_changelist")).status_code == 403
        assert client.get(reverse("admin:articles_auditentry_export")).status_code == 403

    def test_filters_and_csv_export(self, client, entries, django_assert_max_num_queries):
        client.force_login(make_editor("root"))
        url = reverse("admin:articles_auditentry_changelist")
        filtered = client.get(url, {"action__exact": "published"})
        assert filtered.context["cl"].result_count == 1
        assert "Export these entries as CSV" in filtered.content.decode()
        with django_assert_max_num_queries(8):
            response = client.get(
                reverse("admin:articles_auditentry_export"), {"action__exact": "published"}
            )
            rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert response["Content-Type"].startswith("text/csv")
        assert rows[0][:3] == ["when", "user", "action"]
        assert [row[2] for row in rows[1:]] == ["Published"]
        # A formula typed as a headline stays text in a spreadsheet.
        assert rows[1][5] == '\'=HYPERLINK("http://evil")'

    def test_the_export_action(self, client, entries):
        client.force_login(make_editor("root"))
        response = client.post(
            reverse("admin:articles_auditentry_changelist"),
            {
                "action": "export_csv",
                "_selected_action": list(
                    AuditEntry.objects.filter(
                        action__in=[Action.PUBLISHED, Action.UNPUBLISHED]
                    ).values_list("pk", flat=True)
                ),
            },
        )
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert sorted(row[2] for row in rows[1:]) == ["Published", "Unpublished"]
