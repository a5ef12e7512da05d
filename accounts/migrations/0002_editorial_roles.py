"""Create the Contributor, Author and Editor groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POST_PARTS = [
    f"{action}_{model}"
    for model in ("faq", "reference", "postauthor")
    for action in ("add", "change", "delete", "view")
]
CONTRIBUTOR = ["add_post", "change_post", "view_post", *POST_PARTS, "view_topic"]
ROLES = {
    "Contributor": {"blog": CONTRIBUTOR, "taggit": ["view_tag", "add_tag"]},
    "Author": {
        "blog": [*CONTRIBUTOR, "delete_post", "publish_post"],
        "taggit": ["view_tag", "add_tag"],
    },
    "Editor": {
        "blog": [
            *CONTRIBUTOR,
            "delete_post",
            "publish_post",
            "edit_any_post",
            *[
                f"{action}_{model}"
                for model in ("topic", "postslugredirect")
                for action in ("add", "change", "delete", "view")
            ],
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
        "accounts": ["view_user"],
    },
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Role {name}: no permissions {sorted(missing)} in {app_label}")
            group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("blog", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
