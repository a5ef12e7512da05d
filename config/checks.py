from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs):
    """Production needs a real SECRET_KEY (see config/settings.py). Servers refuse to start
    without one; `check --deploy` says so too, while code-only commands keep working."""
    if settings.BYLINE_SECRET_KEY_PROBLEM:
        return [Error(settings.BYLINE_SECRET_KEY_PROBLEM, id="byline.E001")]
    return []


def refuse_to_serve_without_a_secret_key():
    from django.core.exceptions import ImproperlyConfigured

    if settings.BYLINE_SECRET_KEY_PROBLEM:
        raise ImproperlyConfigured(settings.BYLINE_SECRET_KEY_PROBLEM)
