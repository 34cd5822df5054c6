"""Passkeys (WebAuthn) as a second factor, with py_webauthn doing the ceremonies' checks.

Registering: `registration_options()` gives the browser a challenge (kept in the session), the
browser makes a credential, `register()` checks it and stores a `Passkey`. Signing in (after the
password): `authentication_options()` lists the person's passkeys, `authenticate()` checks the
signature and marks the session verified, as a TOTP code would. The relying party is the host the
desk is served on; the origin must match the request's.
"""

import json

from django.conf import settings
from django.db import transaction
from django.http.request import split_domain_port
from django.utils import timezone
from django_otp import login as otp_login
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from . import audit, throttle
from .models import Passkey

CHALLENGE_KEY = "_passkey_challenge"


class PasskeyError(ValueError):
    """The browser's answer did not check out; the message says what to do."""


def _rp_id(request) -> str:
    return split_domain_port(request.get_host())[0]


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptors(user) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key))
        for key in Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
    ]


def registration_options(request) -> str:
    user = request.user
    options = generate_registration_options(
        rp_id=_rp_id(request),
        rp_name=settings.SITE_NAME,
        user_name=user.get_username(),
        user_id=str(user.pk).encode(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _challenge(request) -> bytes:
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        raise PasskeyError("That took too long or was already used: try again.")
    return base64url_to_bytes(challenge)


@transaction.atomic
def register(request, *, credential: dict, name: str) -> Passkey:
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=_challenge(request),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
        )
    except WebAuthnException as exc:
        raise PasskeyError(f"The passkey was not accepted: {exc}") from None
    passkey = Passkey.objects.create(
        user=request.user,
        name=(name or "Passkey").strip()[:64] or "Passkey",
        confirmed=True,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    if not request.user.is_verified():
        otp_login(request, passkey)
    audit.record(
        audit.Action.SECOND_FACTOR_ADDED,
        user=request.user,
        details={"kind": "passkey", "name": passkey.name},
    )
    return passkey


def authentication_options(request) -> str:
    options = generate_authentication_options(
        rp_id=_rp_id(request),
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[CHALLENGE_KEY] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate(request, *, credential: dict) -> None:
    """The second sign-in step with a passkey; raises PasskeyError (and counts a failure)."""
    user = request.user
    username = user.get_username()
    if throttle.is_locked_out(request, username):
        throttle.record_failure(request, username)
        raise PasskeyError(throttle.locked_out_error().messages[0])
    try:
        passkey = Passkey.objects.get(user=user, credential_id=str(credential.get("id", "")))
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=_challenge(request),
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (Passkey.DoesNotExist, WebAuthnException, PasskeyError) as exc:
        throttle.record_failure(request, username)
        audit.record(
            audit.Action.SIGN_IN_FAILED,
            user=user,
            request=request,
            details={"step": "second factor", "kind": "passkey"},
        )
        message = str(exc) if isinstance(exc, PasskeyError) else "That passkey was not accepted."
        raise PasskeyError(message) from None
    Passkey.objects.filter(pk=passkey.pk).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    otp_login(request, passkey)
    throttle.clear_user_failures(username)


@transaction.atomic
def remove(request, passkey: Passkey) -> None:
    passkey.delete()
    audit.record(
        audit.Action.SECOND_FACTOR_REMOVED,
        user=request.user,
        details={"kind": "passkey", "name": passkey.name},
    )


def parse(body: bytes) -> dict:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise PasskeyError("The browser's answer could not be read.") from None
    if not isinstance(data, dict):
        raise PasskeyError("The browser's answer could not be read.")
    return data
