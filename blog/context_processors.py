from django.conf import settings


def site(request):
    return {
        "site_name": settings.BYLINE_SITE_NAME,
        "site_description": settings.BYLINE_SITE_DESCRIPTION,
    }
