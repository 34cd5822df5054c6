from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from articles.accounts.throttle import ThrottledAdminAuthenticationForm
from articles.http.health import liveness
from articles.photos.media import serve_media

admin.site.site_header = f"{settings.SITE_NAME} editor"
admin.site.site_title = f"{settings.SITE_NAME} editor"
admin.site.index_title = "Newsroom"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("healthz", liveness, name="healthz"),
    # "Forgotten your password?" on the admin sign-in page: a link by email (EMAIL_URL).
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
    path(
        "admin/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The wire desk and tag suggestions, ahead of the admin's own catch-alls.
    path("admin/", include("articles.desk.wiredesk")),
    path("admin/", include("articles.desk.accounts")),
    path("admin/", admin.site.urls),
    path("api/", include("articles.outbound.api_urls")),
    path("", include("articles.outbound.syndication_urls")),
]
# The reader's pages in each language: English at /, French at /fr/, Arabic at /ar/ (the
# language is part of the address, so every page stays cacheable as it is).
urlpatterns += i18n_patterns(path("", include("articles.site.urls")), prefix_default_language=False)

if settings.SERVE_MEDIA:
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", serve_media, name="media")]

# The database being unreachable is a 503 page even when it fails outside a view.
handler500 = "articles.http.failures.server_error"
