"""Where you're signed in (articles/accounts/sessions.py): the list, signing out everywhere else,
and sessions ended at once by a password change or lost desk access."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from articles.accounts.models import AuditEntry, UserSession

from ..helpers.crumbs import breadcrumbs
from ..helpers.factories import make_staff

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(username, *, agent, ip) -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ip)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    return client


def reaches_desk(client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture
def reporter(db):
    return make_staff("rep", role="Reporter")


@pytest.fixture
def laptop(reporter):
    return signed_in("rep", agent="Firefox on a laptop", ip="198.51.100.1")


@pytest.fixture
def phone(reporter):
    return signed_in("rep", agent="Safari on a phone", ip="198.51.100.2")


class TestWhereYouAreSignedIn:
    def test_the_page_lists_each_session(self, laptop, phone, django_assert_max_num_queries):
        with django_assert_max_num_queries(8):
            page = laptop.get(reverse("desk_sessions"))
        text = page.content.decode()
        assert "Firefox on a laptop" in text and "Safari on a phone" in text
        assert "198.51.100.2" in text
        assert text.count("(this browser)") == 1
        assert "Sign out everywhere else (1)" in text
        assert breadcrumbs(text) == [("/admin/", "Home"), (None, "Where you’re signed in")]

    def test_sign_out_everywhere_else(self, laptop, phone, reporter):
        response = laptop.post(reverse("desk_sessions"))
        assert response.status_code == 302
        assert reaches_desk(laptop)
        assert not reaches_desk(phone)
        assert UserSession.objects.filter(user=reporter).count() == 1
        entry = AuditEntry.objects.get(action=AuditEntry.Action.SESSIONS_ENDED)
        assert entry.details == {"sessions": 1}

    def test_signing_out_forgets_the_session(self, laptop, phone, reporter):
        phone.post("/admin/logout/")
        assert list(UserSession.objects.values_list("user_agent", flat=True)) == [
            "Firefox on a laptop"
        ]

    def test_someone_elses_sessions_are_not_listed(self, laptop, db):
        make_staff("other", role="Editor")
        other = signed_in("other", agent="Edge elsewhere", ip="192.0.2.4")
        assert "Edge elsewhere" not in laptop.get(reverse("desk_sessions")).content.decode()
        assert reaches_desk(other)


class TestSessionsEndedByAChange:
    def test_changing_your_password_ends_your_other_sessions(self, laptop, phone, reporter):
        new = "a brand new passphrase 42"
        response = laptop.post(
            reverse("admin:password_change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        assert response.status_code == 302
        assert reaches_desk(laptop)  # this browser stays signed in
        assert not reaches_desk(phone)
        assert list(UserSession.objects.values_list("user_agent", flat=True)) == [
            "Firefox on a laptop"
        ]
        assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_CHANGED).exists()

    def test_a_password_set_by_an_administrator_ends_every_session(self, laptop, phone, reporter):
        reporter.set_password("set by the administrator 7")
        reporter.save()
        assert not reaches_desk(laptop) and not reaches_desk(phone)
        assert not UserSession.objects.exists()

    @pytest.mark.parametrize("change", ["is_staff", "is_active"])
    def test_losing_desk_access_ends_every_session(self, laptop, phone, reporter, change):
        setattr(reporter, change, False)
        reporter.save()
        assert not reaches_desk(laptop) and not reaches_desk(phone)
        assert not UserSession.objects.exists()

    def test_removal_from_every_role_ends_every_session(self, laptop, reporter):
        reporter.groups.remove(Group.objects.get(name="Reporter"))
        assert not reaches_desk(laptop)
        assert not UserSession.objects.exists()

    def test_removal_from_the_role_side_too(self, laptop, reporter):
        Group.objects.get(name="Reporter").user_set.remove(reporter)
        assert not reaches_desk(laptop)

    def test_changing_roles_keeps_the_sessions(self, laptop, reporter):
        reporter.groups.add(Group.objects.get(name="Editor"))
        reporter.groups.remove(Group.objects.get(name="Reporter"))
        assert reaches_desk(laptop)


class TestPasswordChangeAudit:
    def test_the_administrator_who_set_a_password_is_recorded(self, client, laptop, reporter):
        from ..helpers.factories import make_editor

        admin_user = make_editor("root")
        client.force_login(admin_user)
        new = "set by the administrator 7"
        response = client.post(
            reverse("admin:auth_user_password_change", args=[reporter.pk]),
            {"password1": new, "password2": new, "usable_password": "true"},
        )
        assert response.status_code == 302
        entry = AuditEntry.objects.get(action=AuditEntry.Action.PASSWORD_CHANGED)
        assert (entry.user, entry.target_label) == (admin_user, "rep")
        assert not reaches_desk(laptop)
