# The two editorial roles as groups with their permissions. The server enforces what each role
# may do (articles/editorial/services.py); these groups are what an administrator assigns to people.

from django.contrib.auth.management import create_permissions
from django.db import migrations

ALL = ("add", "change", "delete", "view")

REPORTER = {
    "article": ("add", "change", "view"),
    "image": ("add", "change", "view"),
    "source": ("add", "view"),
    "tag": ("view",),
    "correction": ("view",),
    "revision": ("view",),
}
EDITOR = {
    "article": ALL,
    "image": ALL,
    "source": ALL,
    "tag": ALL,
    "correction": ("add", "view"),
    "sharelink": ("add", "change", "view"),
    "revision": ("view",),
}
EDITOR_EXTRA = (
    "publish_article",
    "restore_revision",
    "recover_article",
    "correct_article",
    "share_preview",
    "merge_tags",
)


def codenames(table: dict) -> list[str]:
    return [f"{action}_{model}" for model, actions in table.items() for action in actions]


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); make them now so a
    # fresh database gets complete groups.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [
        ("Reporter", codenames(REPORTER)),
        ("Editor", codenames(EDITOR) + list(EDITOR_EXTRA)),
    ]:
        permissions = list(
            Permission.objects.filter(content_type__app_label="articles", codename__in=wanted)
        )
        missing = set(wanted) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} role: {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporter", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_tag_hygiene_and_search_documents"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
