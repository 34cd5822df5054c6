"""The second factor in the desk: enrolment ("Two-step sign-in"), the second sign-in step, and the
per-role requirement. The work is in articles/accounts/second_factor.py."""

import base64
import json

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ..accounts import passkeys, second_factor
from ..accounts.models import SecondFactorRequirement


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _context(request, **extra):
    return {**admin.site.each_context(request), "next": _next(request), **extra}


def verify_view(request):
    """The second sign-in step, after the password."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("admin:login"))
    if request.user.is_verified() or not second_factor.has_second_factor(request.user):
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        error = second_factor.verify(request, form.cleaned_data["code"])
        if error is None:
            return HttpResponseRedirect(_next(request))
    has_codes = bool(
        second_factor.app_device(request.user)
        or second_factor.StaticToken.objects.filter(device__user=request.user).exists()
    )
    has_passkey = passkeys.Passkey.objects.filter(user=request.user).exists()
    return TemplateResponse(
        request,
        "admin/accounts/verify.html",
        _context(
            request,
            title="Two-step sign-in",
            form=form,
            error=error,
            has_codes=has_codes,
            has_passkey=has_passkey,
        ),
    )


def _qr_svg(device) -> str:
    # segno writes plain SVG elements (no style attributes), so the page's CSP holds.
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=4)
    return mark_safe(svg)  # noqa: S308 (made by segno from our own URL)


def second_factor_view(request):
    """Set up, renew or remove the authenticator app and recovery codes."""
    user = request.user
    enrolled = second_factor.app_device(user) is not None
    required = second_factor.is_required_for(user)
    user_passkeys = list(passkeys.Passkey.objects.filter(user=user).order_by("created_at"))
    codes, form = None, CodeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm" and not enrolled:
            form = CodeForm(request.POST)
            if form.is_valid():
                device = second_factor.pending_app_device(user)
                codes = second_factor.confirm_app(
                    request, device=device, code=form.cleaned_data["code"]
                )
                if codes is None:
                    form.add_error("code", "That code is not right: check the app and try again.")
                else:
                    enrolled = True
        elif action == "recovery_codes" and (enrolled or user_passkeys) and user.is_verified():
            codes = second_factor.make_recovery_codes(request)
        elif action == "remove" and (enrolled or user_passkeys) and user.is_verified():
            if required:
                messages.error(request, "Your role requires a second factor: it stays on.")
            else:
                second_factor.remove_second_factor(request, user)
                messages.success(request, "Two-step sign-in is off.")
            return HttpResponseRedirect(reverse("desk_second_factor"))
    context = {
        "enrolled": enrolled,
        "required": required and not user_passkeys,
        "codes": codes,
        "form": form,
        "passkeys": user_passkeys,
        "can_add_passkey": not (enrolled or user_passkeys) or user.is_verified(),
    }
    if not (enrolled or user_passkeys):
        device = second_factor.pending_app_device(user)
        key = base64.b32encode(device.bin_key).decode().rstrip("=")
        context.update(
            qr=_qr_svg(device), secret=" ".join(key[i : i + 4] for i in range(0, len(key), 4))
        )
    context["remaining"] = second_factor.StaticToken.objects.filter(device__user=user).count()
    return TemplateResponse(
        request,
        "admin/accounts/second_factor.html",
        _context(request, title="Two-step sign-in", **context),
    )


def _json(body: str | dict, status: int = 200) -> HttpResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    response = HttpResponse(text, status=status, content_type="application/json")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def passkey_register_view(request):
    """Add a passkey: {"step": "options"} first, then {"credential": …, "name": …}."""
    user = request.user
    if second_factor.has_second_factor(user) and not user.is_verified():
        return _json({"error": "Sign in with your second factor first."}, 403)
    try:
        data = passkeys.parse(request.body)
        if data.get("step") == "options":
            return _json(passkeys.registration_options(request))
        passkey = passkeys.register(
            request, credential=data.get("credential") or {}, name=str(data.get("name", ""))
        )
    except passkeys.PasskeyError as exc:
        return _json({"error": str(exc)}, 400)
    messages.success(request, f"Passkey “{passkey.name}” added.")
    return _json({"redirect": reverse("desk_second_factor")})


@require_POST
def passkey_sign_in_view(request):
    """The second step with a passkey: {"step": "options"} first, then {"credential": …}."""
    if not passkeys.Passkey.objects.filter(user=request.user).exists():
        return _json({"error": "You have no passkey."}, 400)
    try:
        data = passkeys.parse(request.body)
        if data.get("step") == "options":
            return _json(passkeys.authentication_options(request))
        passkeys.authenticate(request, credential=data.get("credential") or {})
    except passkeys.PasskeyError as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"redirect": _next(request)})


@require_POST
def passkey_remove_view(request, pk):
    if not request.user.is_verified():
        raise PermissionDenied
    passkey = get_object_or_404(passkeys.Passkey, pk=pk, user=request.user)
    if second_factor.is_required_for(request.user) and not (
        second_factor.app_device(request.user)
        or passkeys.Passkey.objects.filter(user=request.user).exclude(pk=pk).exists()
    ):
        messages.error(request, "Your role requires a second factor: keep at least one.")
    else:
        passkeys.remove(request, passkey)
        messages.success(request, f"Passkey “{passkey.name}” removed.")
    return HttpResponseRedirect(reverse("desk_second_factor"))


@admin.register(SecondFactorRequirement)
class SecondFactorRequirementAdmin(admin.ModelAdmin):
    """Which roles must sign in with a second factor; set by whoever holds the permission."""

    list_display = ["role", "required_since", "required_by"]
    fields = ["role"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        second_factor.require_for_role(role=obj.role, user=request.user)

    def delete_model(self, request, obj):
        second_factor.stop_requiring(requirement=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for requirement in queryset:
            second_factor.stop_requiring(requirement=requirement, user=request.user)


urlpatterns = [
    path("verify/", admin.site.admin_view(verify_view), name="desk_verify"),
    path("two-step/", admin.site.admin_view(second_factor_view), name="desk_second_factor"),
    path(
        "two-step/passkeys/add/",
        admin.site.admin_view(passkey_register_view),
        name="desk_passkey_register",
    ),
    path(
        "two-step/passkeys/<int:pk>/remove/",
        admin.site.admin_view(passkey_remove_view),
        name="desk_passkey_remove",
    ),
    path(
        "verify/passkey/", admin.site.admin_view(passkey_sign_in_view), name="desk_passkey_sign_in"
    ),
]
