"""The lead photo on the story form: the photo, its caption and credit shown together, a file
attached by picking or dropping it (kept across a form error), and a searchable thumbnail chooser.

A wire caption arrives as a photo record with no file: the desk shows it as "caption waiting for a
photo" with an upload box, and readers see neither the caption nor the credit until a file exists.
"""

import secrets

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Image
from ..photos.uploads import ACCEPTED_FORMATS, open_checked, safe_file_name
from .photos import thumbnail_url

KEPT_UPLOAD_SALT = "articles.desk.kept-upload"
KEPT_UPLOAD_MAX_AGE = 24 * 3600
KEPT_UPLOAD_FOLDER = "uploads/kept"


class KeptUpload(str):
    """The signed name of an upload kept from an earlier try of the same form."""


class KeptUploadInput(forms.ClearableFileInput):
    """A file box that, after a form error, keeps the file chosen the first time: the form stores
    it and renders a signed reference to it in a hidden field beside the box."""

    kept_token = ""
    kept_name = ""

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        if upload:
            return upload
        token = data.get(f"{name}_kept", "")
        return KeptUpload(token) if token else upload

    def format_value(self, value):
        return None  # never show a link to the kept file as if it were saved

    def render(self, name, value, attrs=None, renderer=None):
        box = forms.FileInput(self.attrs).render(name, None, attrs, renderer)
        kept = ""
        if self.kept_token:
            kept = format_html(
                '<input type="hidden" name="{}_kept" value="{}"><p class="photo-drop__kept" '
                'role="status">Kept from your last try: <strong>{}</strong>. It is saved with '
                "the story; choose another file to replace it.</p>",
                name,
                self.kept_token,
                self.kept_name,
            )
        return format_html(
            '<div class="photo-drop" data-photo-drop>{}{}<p class="photo-drop__hint" '
            "data-photo-drop-hint hidden>…or drop a photo anywhere on this box.</p>"
            '<img class="photo-drop__preview" data-photo-drop-preview alt="" hidden></div>',
            box,
            kept,
        )


class KeptUploadField(forms.FileField):
    widget = KeptUploadInput(
        attrs={"accept": ",".join(f"image/{fmt.lower()}" for fmt in sorted(ACCEPTED_FORMATS))}
    )

    def to_python(self, data):
        if isinstance(data, KeptUpload):
            return data  # resolved by the form, which knows who is asking
        upload = super().to_python(data)
        if upload is not None:
            open_checked(upload).picture.close()
        return upload


def keep_upload(upload, *, user) -> str:
    """Store `upload` aside and return a token only `user` can turn back into it."""
    name = safe_file_name(upload.name or "", "upload")
    upload.seek(0)
    path = default_storage.save(f"{KEPT_UPLOAD_FOLDER}/{secrets.token_hex(8)}/{name}", upload)
    upload.seek(0)
    shown_name = upload.name.replace("\\", "/").rsplit("/", 1)[-1][:100]
    return signing.dumps({"path": path, "user": user.pk, "name": shown_name}, salt=KEPT_UPLOAD_SALT)


def kept_upload(token: str, *, user):
    """The file a `keep_upload` token stands for, opened from storage, or a ValidationError."""
    try:
        data = signing.loads(token, salt=KEPT_UPLOAD_SALT, max_age=KEPT_UPLOAD_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError("The photo chosen earlier has expired; choose it again.") from None
    path = data.get("path", "")
    if data.get("user") != user.pk or not path.startswith(KEPT_UPLOAD_FOLDER + "/"):
        raise ValidationError("The photo chosen earlier is not yours to use; choose it again.")
    if not default_storage.exists(path):
        raise ValidationError("The photo chosen earlier has expired; choose it again.")
    file = default_storage.open(path)
    file.name = data.get("name") or path.rsplit("/", 1)[-1]
    file.kept_path = path
    return file


def discard_kept(file) -> None:
    if path := getattr(file, "kept_path", ""):
        file.close()
        default_storage.delete(path)


class StoryForm(forms.ModelForm):
    """The admin's story form plus the lead photo's file and alt text."""

    lead_photo_file = KeptUploadField(
        label="Photo file",
        required=False,
        help_text="Drop a JPEG, PNG, WebP or GIF here or choose one. It becomes the lead photo "
        "(or the photo for the caption waiting above).",
    )
    lead_photo_alt = forms.CharField(
        label="Alt text",
        required=False,
        max_length=300,
        help_text="What the photo shows, for readers who cannot see it. Needed to publish.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        image = self.instance.lead_image if self.instance.lead_image_id else None
        if image is not None and "lead_photo_alt" in self.fields:
            self.fields["lead_photo_alt"].initial = image.alt_text

    def clean_lead_photo_file(self):
        upload = self.cleaned_data.get("lead_photo_file")
        if not upload:
            return None
        user = getattr(self, "user", None)
        if isinstance(upload, KeptUpload):
            upload = kept_upload(upload, user=user)
            open_checked(upload).picture.close()
            upload.seek(0)
            token = self.data.get(self.add_prefix("lead_photo_file") + "_kept", "")
        else:
            token = keep_upload(upload, user=user)
        widget = self.fields["lead_photo_file"].widget
        widget.kept_token, widget.kept_name = token, upload.name
        return upload

    def alt_text_changed(self) -> bool:
        # Asked of this one field: `changed_data` would compare every field (taggit's tags
        # field cannot compare a re-shown form's tags).
        return self["lead_photo_alt"]._has_changed()

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("lead_photo_file")
        image = cleaned.get("lead_image") if "lead_image" in cleaned else self.instance.lead_image
        alt = (cleaned.get("lead_photo_alt") or "").strip()
        if image is not None and self.alt_text_changed():
            image.alt_text = alt  # so the story's own publish check judges the new alt text
        if upload and cleaned.get("status") == "published":
            alt = (cleaned.get("lead_photo_alt") or (image.alt_text if image else "")).strip()
            if not alt:
                self.add_error(
                    "lead_photo_alt", "Describe the new photo (alt text) before publishing."
                )
        return cleaned


def attach_lead_photo(article, *, upload, alt_text: str, user, for_working_draft=False) -> Image:
    """Give `article` the uploaded lead photo: into its waiting caption's record when that has
    no file yet, else as a new photo. Saved at once (a photo is shared, not part of a draft).

    `for_working_draft` (a reporter's draft of a live story): always a new photo, with the
    waiting caption's words copied, so readers see nothing of it until the draft is published."""
    image = article.lead_image
    if image is None or image.file:
        image = Image(alt_text=alt_text.strip())
    elif for_working_draft:
        image = Image(alt_text=alt_text.strip(), caption=image.caption, credit=image.credit)
    elif alt_text.strip():
        image.alt_text = alt_text.strip()
    image.file = upload
    image.uploaded_by = user
    image.full_clean(exclude=["file"])
    image.save()
    discard_kept(upload)
    article.lead_image = image
    return image


def update_alt_text(image: Image, alt_text: str) -> None:
    if image is not None:
        image.alt_text = alt_text.strip()
        image.save(update_fields=["alt_text", "updated_at"])


def lead_photo_panel(image: Image | None, *, change_url: str = "", chooser_url: str = "") -> str:
    """The photo, its caption and credit together, as the desk sees them, and the chooser."""
    chooser = format_html(
        '<a class="button lead-photo__choose" href="{}" target="_blank" rel="noopener" '
        "data-photo-chooser>Choose from the photo library</a>",
        chooser_url,
    )
    if image is None:
        return format_html(
            '<div class="lead-photo" data-lead-photo><div class="lead-photo__picture" '
            'data-lead-photo-picture><p class="lead-photo__empty">No lead photo yet.</p></div>'
            '<dl class="lead-photo__details" data-lead-photo-details hidden><dt>Caption</dt>'
            "<dd data-lead-photo-caption></dd><dt>Credit</dt><dd data-lead-photo-credit></dd>"
            "</dl>{}</div>",
            chooser,
        )
    if image.file:
        picture = format_html(
            '<img src="{}" alt="" width="160" height="160" class="lead-photo__thumb">',
            thumbnail_url(image),
        )
    else:
        picture = mark_safe(
            '<p class="lead-photo__waiting"><strong>Caption waiting for a photo.</strong> Readers '
            "see no caption or credit until a photo file is attached: choose or drop one in "
            "<em>Photo file</em> below.</p>"
        )
    return format_html(
        '<div class="lead-photo" data-lead-photo><div class="lead-photo__picture" '
        'data-lead-photo-picture>{}</div><dl class="lead-photo__details">'
        "<dt>Caption</dt><dd data-lead-photo-caption>{}</dd>"
        "<dt>Credit</dt><dd data-lead-photo-credit>{}</dd></dl>{} {}</div>",
        picture,
        image.caption or "—",
        image.display_credit or "—",
        chooser,
        format_html(
            '<a href="{}" data-lead-photo-edit>Edit this photo, its caption and focal point</a>',
            change_url,
        )
        if change_url
        else "",
    )
