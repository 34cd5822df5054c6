"""Two-step sign-in (articles/accounts/second_factor.py): enrolment with an authenticator app,
the second step with real TOTP codes, recovery codes, the requirement per role and the
throttle over the second step."""

import re
import time

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.accounts.models import AuditEntry, SecondFactorRequirement

from ..helpers.crumbs import breadcrumbs
from ..helpers.factories import make_staff

PASSWORD = "correct horse battery staple"
Action = AuditEntry.Action


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_for(device) -> str:
    """What the person's authenticator app shows now."""
    code = totp(device.bin_key, t0=device.t0, step=device.step, digits=device.digits)
    return f"{code:06d}"


def password_step(username) -> Client:
    client = Client(REMOTE_ADDR="198.51.100.20")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    return client


def enrol(client, user) -> list[str]:
    page = client.get(reverse("desk_second_factor"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    assert breadcrumbs(page.content.decode()) == [("/admin/", "Home"), (None, "Two-step sign-in")]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("desk_second_factor"), {"action": "confirm", "code": code_for(device)}
    )
    assert response.status_code == 200
    return response.context["codes"]


@pytest.fixture
def reporter(db):
    return make_staff("rep", role="Reporter")


@pytest.fixture
def required_for_reporters(db):
    return SecondFactorRequirement.objects.create(role=Group.objects.get(name="Reporter"))


class TestEnforcedPerRole:
    def test_a_reporter_without_a_second_factor_cannot_reach_the_desk(
        self, reporter, required_for_reporters
    ):
        client = password_step("rep")
        for page in ["/admin/", reverse("admin:articles_article_changelist"), "/admin/sessions/"]:
            response = client.get(page)
            assert response.status_code == 302, page
            assert response["Location"].startswith(reverse("desk_second_factor"))
        enrolment = client.get(reverse("desk_second_factor")).content.decode()
        assert "requires two-step sign-in" in enrolment

    def test_without_the_requirement_the_desk_is_open(self, reporter):
        assert password_step("rep").get("/admin/").status_code == 200

    def test_only_other_roles_are_affected(self, required_for_reporters, db):
        make_staff("ed", role="Editor")
        assert password_step("ed").get("/admin/").status_code == 200

    def test_the_editor_in_chief_sets_it_and_an_editor_cannot(self, db):
        chief = make_staff("chief", role="Editor-in-chief")
        editor = make_staff("ed", role="Editor")
        reporters = Group.objects.get(name="Reporter")
        url = reverse("admin:articles_secondfactorrequirement_add")
        client = Client()
        client.force_login(editor)
        assert client.post(url, {"role": reporters.pk}).status_code == 403
        client.force_login(chief)
        assert client.post(url, {"role": reporters.pk}).status_code == 302
        requirement = SecondFactorRequirement.objects.get(role=reporters)
        assert requirement.required_by == chief
        entry = AuditEntry.objects.get(action=Action.SECOND_FACTOR_REQUIRED)
        assert (entry.user, entry.target_label, entry.details) == (
            chief,
            "Reporter",
            {"required": True},
        )


class TestSigningInWithACode:
    def test_enrol_then_sign_in_with_a_real_code(self, reporter, required_for_reporters):
        first = password_step("rep")
        codes = enrol(first, reporter)
        assert len(codes) == 10
        assert first.get("/admin/").status_code == 200
        assert AuditEntry.objects.filter(action=Action.SECOND_FACTOR_ADDED, user=reporter).exists()

        device = TOTPDevice.objects.get(user=reporter, confirmed=True)
        with time_machine.travel(time.time() + 31, tick=False):
            client = password_step("rep")
            response = client.get("/admin/articles/article/")
            assert response["Location"].startswith(reverse("desk_verify"))
            page = client.get(response["Location"])
            assert "authenticator app" in page.content.decode()
            wrong = client.post(response["Location"], {"code": "000000"})
            assert "That code is not right" in wrong.content.decode()
            right = client.post(
                response["Location"], {"code": code_for(device), "next": "/admin/articles/article/"}
            )
            assert right["Location"] == "/admin/articles/article/"
            assert client.get("/admin/articles/article/").status_code == 200

    def test_someone_with_a_second_factor_needs_it_even_when_not_required(self, reporter):
        enrol(password_step("rep"), reporter)
        client = password_step("rep")
        assert client.get("/admin/")["Location"].startswith(reverse("desk_verify"))

    def test_a_recovery_code_works_once(self, reporter):
        codes = enrol(password_step("rep"), reporter)
        client = password_step("rep")
        response = client.post(reverse("desk_verify"), {"code": codes[0], "next": "/admin/"})
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
        again = password_step("rep")
        reused = again.post(reverse("desk_verify"), {"code": codes[0]})
        assert "That code is not right" in reused.content.decode()
        assert StaticToken.objects.filter(device__user=reporter).count() == 9

    def test_wrong_codes_lock_the_second_step_too(self, reporter):
        enrol(password_step("rep"), reporter)
        device = TOTPDevice.objects.get(user=reporter)
        with time_machine.travel(time.time() + 31, tick=False):
            client = password_step("rep")
            for _ in range(5):
                client.post(reverse("desk_verify"), {"code": "123456"})
            response = client.post(reverse("desk_verify"), {"code": code_for(device)})
            assert "Too many failed sign-in attempts" in response.content.decode()
            assert client.get("/admin/").status_code == 302
        failures = AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED, user=reporter)
        assert failures.count() == 5
        assert failures.first().details == {"step": "second factor"}

    def test_a_wrong_enrolment_code_is_refused(self, reporter):
        client = password_step("rep")
        client.get(reverse("desk_second_factor"))
        response = client.post(reverse("desk_second_factor"), {"action": "confirm", "code": "1"})
        assert "That code is not right" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=reporter, confirmed=True).exists()


class TestManagingIt:
    def test_new_recovery_codes_and_turning_it_off_are_audited(self, reporter):
        client = password_step("rep")
        old = enrol(client, reporter)
        response = client.post(reverse("desk_second_factor"), {"action": "recovery_codes"})
        new = response.context["codes"]
        assert set(new).isdisjoint(old)
        assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new)
        client.post(reverse("desk_second_factor"), {"action": "remove"})
        assert not TOTPDevice.objects.filter(user=reporter).exists()
        actions = set(AuditEntry.objects.filter(user=reporter).values_list("action", flat=True))
        assert {
            Action.SECOND_FACTOR_ADDED,
            Action.RECOVERY_CODES_MADE,
            Action.SECOND_FACTOR_REMOVED,
        } <= actions

    def test_a_required_second_factor_cannot_be_turned_off(self, reporter, required_for_reporters):
        client = password_step("rep")
        enrol(client, reporter)
        client.post(reverse("desk_second_factor"), {"action": "remove"})
        assert TOTPDevice.objects.filter(user=reporter, confirmed=True).exists()

    def test_the_enrolment_page_does_not_use_inline_styles(self, reporter):
        html = password_step("rep").get(reverse("desk_second_factor")).content.decode()
        assert not re.search(r"<svg[^>]*style=|<path[^>]*style=", html)


class TestResetByAnAdministrator:
    def test_the_reset_action_removes_it_and_is_audited(self, client, reporter):
        enrol(password_step("rep"), reporter)
        chief = make_staff("root", role="Editor")
        chief.is_superuser = True
        chief.save()
        client.force_login(chief)
        response = client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [reporter.pk]},
        )
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=reporter).exists()
        entry = AuditEntry.objects.get(action=Action.SECOND_FACTOR_REMOVED)
        assert (entry.user, entry.target_label) == (chief, "rep")
        assert password_step("rep").get("/admin/").status_code == 200


class TestPasskeyEndpoints:
    """The browser's side is in tests/e2e/test_passkeys.py; these are the server's refusals."""

    def post_json(self, client, name, body):
        import json

        return client.post(reverse(name), json.dumps(body), content_type="application/json")

    def test_adding_a_passkey_needs_the_existing_second_factor_first(self, reporter):
        enrol(password_step("rep"), reporter)
        client = password_step("rep")
        response = self.post_json(client, "desk_passkey_register", {"step": "options"})
        assert response.status_code == 403

    def test_registration_options_name_this_site(self, reporter):
        client = password_step("rep")
        response = self.post_json(client, "desk_passkey_register", {"step": "options"})
        options = response.json()
        assert options["rp"]["id"] == "testserver"
        assert options["user"]["name"] == "rep"
        assert "no-store" in response["Cache-Control"]

    def test_a_forged_answer_is_refused_counted_and_audited(self, reporter):
        from articles.accounts.models import Passkey

        Passkey.objects.create(
            user=reporter, name="Key", credential_id="AAAA", public_key=b"x", confirmed=True
        )
        client = password_step("rep")
        self.post_json(client, "desk_passkey_sign_in", {"step": "options"})
        response = self.post_json(
            client, "desk_passkey_sign_in", {"credential": {"id": "AAAA", "rawId": "AAAA"}}
        )
        assert response.status_code == 400
        assert "error" in response.json()
        assert client.get("/admin/")["Location"].startswith(reverse("desk_verify"))
        entry = AuditEntry.objects.get(action=Action.SIGN_IN_FAILED, user=reporter)
        assert entry.details == {"step": "second factor", "kind": "passkey"}

    def test_someone_without_a_passkey_gets_no_options(self, reporter):
        client = password_step("rep")
        response = self.post_json(client, "desk_passkey_sign_in", {"step": "options"})
        assert response.status_code == 400
