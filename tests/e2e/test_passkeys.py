"""Passkeys in Chromium, with a virtual authenticator over the DevTools protocol: adding one in
the desk, then signing in with it as the second step (articles/accounts/passkeys.py)."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.accounts.models import AuditEntry, Passkey, SecondFactorRequirement

from ..helpers.factories import make_staff
from .browser import EDITOR_PASSWORD


@pytest.fixture
def reporter(transactional_db):
    # The live server's tests empty the tables between tests, the role's group included.
    Group.objects.get_or_create(name="Reporter")
    return make_staff("reporter", role="Reporter", password=EDITOR_PASSWORD)


@pytest.fixture
def authenticator(page):
    """A platform authenticator (like a laptop's fingerprint reader) that always says yes."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield cdp, added["authenticatorId"]
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": added["authenticatorId"]})


def password_step(page, username="reporter"):
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_add_a_passkey_then_sign_in_with_it(page, reporter, authenticator):
    cdp, authenticator_id = authenticator
    SecondFactorRequirement.objects.create(role=Group.objects.get(name="Reporter"))

    # Required for the role: the desk sends the reporter to set up a second factor.
    password_step(page)
    expect(page.get_by_text("Your role requires two-step sign-in")).to_be_visible()
    page.get_by_label("Name it:").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey “Work laptop” added.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Work laptop")).to_be_visible()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    passkey = Passkey.objects.get(user=reporter)
    assert passkey.name == "Work laptop"

    # Signed in with the passkey: the desk opens.
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Newsroom", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # Next time: password, then the passkey.
    password_step(page)
    expect(page).to_have_url(re.compile(r"/admin/verify/"))
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name="Newsroom", exact=True)).to_be_visible()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    added = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR_ADDED)
    assert added.details == {"kind": "passkey", "name": "Work laptop"}


def test_a_passkey_that_does_not_answer_is_refused(page, reporter, authenticator):
    cdp, authenticator_id = authenticator
    password_step(page)
    page.goto("/admin/two-step/")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey “Passkey 1” added.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # The authenticator loses its credential (another device): the sign-in step says so.
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    password_step(page)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_text("Cancelled, or no passkey answered")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/verify/"))
