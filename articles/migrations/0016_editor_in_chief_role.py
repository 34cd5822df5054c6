# The editor-in-chief role: everything an editor may do, plus reading the audit trail and seeing
# who holds which role. Like the other roles, a group an administrator assigns people to.

from django.db import migrations

EDITOR_IN_CHIEF = "Editor-in-chief"
EXTRA = [("articles", "view_auditentry"), ("auth", "view_user"), ("auth", "view_group")]


def create_role(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor = Group.objects.filter(name="Editor").first()
    permissions = list(editor.permissions.all()) if editor else []
    for app_label, codename in EXTRA:
        permissions.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    chief, _ = Group.objects.get_or_create(name=EDITOR_IN_CHIEF)
    chief.permissions.add(*permissions)


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_IN_CHIEF).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_accounts")]

    operations = [migrations.RunPython(create_role, remove_role)]
