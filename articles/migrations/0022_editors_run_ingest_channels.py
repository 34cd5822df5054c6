# Editors (and editors-in-chief) configure ingest channels, look at them now and retry failed items; reporters do not.

from django.contrib.auth.management import create_permissions
from django.db import migrations

WANTED = [
    "add_ingestchannel",
    "change_ingestchannel",
    "delete_ingestchannel",
    "view_ingestchannel",
    "view_ingesteditem",
    "run_ingest_channel",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editor in Group.objects.filter(name__in=["Editor", "Editor-in-chief"]):
        editor.permissions.add(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=WANTED)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editor in Group.objects.filter(name__in=["Editor", "Editor-in-chief"]):
        editor.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=WANTED)
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0021_background_renditions_and_ingest_channels")]
    operations = [migrations.RunPython(grant, revoke)]
