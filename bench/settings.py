"""Settings for the bench's gunicorn only: the site's own, plus a bare view to measure the
ceiling against and a way to count a request's queries. Production never loads this module."""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# First, so that it sees every query a request makes, the page cache's included.
MIDDLEWARE = ["bench.views.QueryCountMiddleware", *MIDDLEWARE]
