import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


def password_file():
    return settings.LOCAL_DIR / "editor-password"


class Command(BaseCommand):
    help = (
        "Create a local editor account with a random password if no admin account exists, "
        "and print how to log in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        User = get_user_model()
        admin_url = f"{settings.SITE_URL.rstrip('/')}/admin/"
        if User.objects.filter(is_superuser=True).exists():
            if User.objects.filter(username=username).exists() and password_file().exists():
                password = password_file().read_text().strip()
                self._print_login(admin_url, username, password)
            else:
                self.stdout.write(
                    f"Admin: {admin_url} — log in with your existing account "
                    f"(reset a password with: python manage.py changepassword USERNAME)."
                )
            return
        # Random per machine, never a fixed default; kept in .local/ (git-ignored) for re-runs.
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        settings.LOCAL_DIR.mkdir(exist_ok=True)
        password_file().write_text(password + "\n")
        password_file().chmod(0o600)
        self._print_login(admin_url, username, password)

    def _print_login(self, admin_url, username, password):
        self.stdout.write(
            self.style.SUCCESS(
                f"Editor login: {admin_url}  username: {username}  password: {password}\n"
                f"(The password is kept in {password_file()}; change it in the admin.)"
            )
        )
