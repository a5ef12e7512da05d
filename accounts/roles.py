"""The editorial roles as Django groups, and what each may do.

`sync_roles` runs in the data migration that first creates the groups and again after every
`migrate` (and test-database flush), the way Django keeps model permissions current. Each role
group holds exactly the permissions listed here: one added here reaches existing sites on their
next migrate, and one removed here is taken away (give site-specific extras to another group).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

_POST_PARTS = [
    f"{action}_{model}"
    for model in ("faq", "reference", "postauthor")
    for action in ("add", "change", "delete", "view")
]
# Writers see the site's sponsored links, to link to them as /go/<slug>/.
_CONTRIBUTOR = [
    "add_post",
    "change_post",
    "view_post",
    *_POST_PARTS,
    "view_topic",
    "view_sponsoredlink",
    # The whole image library, to use; changing and deleting only their own uploads
    # (ImageQuerySet.editable_by) unless they may edit any image.
    "add_image",
    "change_image",
    "delete_image",
    "view_image",
]
# Permissions of one model beyond add/change/delete/view: granted once the model exists.
_CUSTOM = {"edit_any_image": "image"}

ROLES = {
    # Writes and edits their own drafts and submits them for review. Tags their own posts in
    # the post form (which needs no tag permission); sees in the tag admin only the tags of
    # published posts and of their own.
    "Contributor": {"blog": _CONTRIBUTOR, "taggit": ["view_tag"]},
    # Also publishes, schedules and deletes their own posts.
    "Author": {"blog": [*_CONTRIBUTOR, "delete_post", "publish_post"], "taggit": ["view_tag"]},
    # Everything, on every post, plus topics, tags (rename, merge, delete), redirects and the
    # 404 list, author profiles, the audit trail of state changes, and sponsored content:
    # affiliate networks, sponsored links and their click reports, the site's disclosure;
    # webhooks and the log of go-live deliveries; the site's header and footer menus.
    "Editor": {
        "blog": [
            *_CONTRIBUTOR,
            "delete_post",
            "publish_post",
            "edit_any_post",
            "edit_any_image",
            "view_statechange",
            *[
                f"{action}_{model}"
                for model in (
                    "topic",
                    "postslugredirect",
                    "affiliatenetwork",
                    "affiliaterule",
                    "sponsoredlink",
                    "webhookendpoint",
                    "redirect",
                    "menu",
                    "menuitem",
                )
                for action in ("add", "change", "delete", "view")
            ],
            "change_sitesettings",
            "view_sitesettings",
            "view_linkclicks",
            "view_delivery",
            "view_notfoundpath",
            "delete_notfoundpath",
        ],
        "taggit": ["add_tag", "change_tag", "delete_tag", "view_tag"],
        "accounts": ["view_user", "change_user"],  # author profiles (not roles: see admin)
    },
}


def sync_roles(apps=global_apps, **kwargs):
    """Create the role groups if missing and grant each the permissions listed above."""
    if not apps.is_installed("blog"):
        return
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None):
            create_permissions(app_config, apps=apps, verbosity=0)
        else:  # an app of a migration's historical state
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        granted = []
        for app_label, codenames in grants.items():
            codenames = _of_existing_models(apps, app_label, codenames)
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Role {name}: no permissions {sorted(missing)} in {app_label}")
            granted.extend(permissions)
        group.permissions.set(granted)


def _of_existing_models(apps, app_label, codenames):
    """The codenames whose model exists in `apps`: the first migrations run before later
    models are made, and the run after the last migration grants those."""
    models = {model._meta.model_name for model in apps.get_app_config(app_label).get_models()}
    return [codename for codename in codenames if _model_of(codename) in {None, *models}]


def _model_of(codename):
    """The model a permission belongs to, or None for those of a model made from the start."""
    action, _, model = codename.partition("_")
    return model if action in {"add", "change", "delete", "view"} else _CUSTOM.get(codename)
