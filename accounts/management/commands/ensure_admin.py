import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the site's first administrator if missing. Username, e-mail and password come "
        "from BYLINE_ADMIN_USERNAME, BYLINE_ADMIN_EMAIL and BYLINE_ADMIN_PASSWORD; without a "
        "password one is generated and printed once."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        username = os.environ.get("BYLINE_ADMIN_USERNAME", "admin")
        email = os.environ.get("BYLINE_ADMIN_EMAIL", f"{username}@example.com")
        password = os.environ.get("BYLINE_ADMIN_PASSWORD", "")

        user = User.objects.filter(username=username).first()
        if user is not None:
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(
                    f"Admin account “{username}”: password set from BYLINE_ADMIN_PASSWORD."
                )
            else:
                self.stdout.write(
                    f"Admin account “{username}” exists; its password was printed when it was "
                    f"created (change it with `manage.py changepassword {username}`)."
                )
            return

        generated = not password
        password = password or secrets.token_urlsafe(12)
        user = User.objects.create_superuser(
            username=username, email=email, password=password, display_name="Site Admin"
        )
        user.groups.add(*Group.objects.filter(name="Editor"))
        self.stdout.write(self.style.SUCCESS(f"Created admin account “{username}”."))
        if generated:
            self.stdout.write(
                f"  username: {username}\n  password: {password}\n"
                "  (shown only this once; set BYLINE_ADMIN_PASSWORD to choose your own)"
            )
