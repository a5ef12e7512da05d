"""Read replicas (DATABASE_REPLICA_URLS): which database each query goes to.

Only anonymous readers' GETs of the public site read from a replica, one replica per request.
Everything else uses the primary: writes; reads inside a transaction; reads after the
request's first write; requests of logged-in people and of the admin (editors must see what
they just saved, and a replica lags); commands and tasks. For a while after content
changes, every request reads from the primary too: a page rendered from a replica that has
not caught up would be cached under the new content version and served stale until it
expires.
"""

import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

from blog.content_version import content_generation

_replica = ContextVar("byline_replica", default=None)  # {"alias": ..., "wrote": bool}


def replica_aliases():
    return [alias for alias in settings.DATABASES if alias != DEFAULT_DB_ALIAS]


@contextmanager
def reads_from(alias):
    """Send this context's reads to `alias` until it writes."""
    token = _replica.set({"alias": alias, "wrote": False})
    try:
        yield
    finally:
        _replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        chosen = _replica.get()
        if chosen is None or chosen["wrote"] or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return chosen["alias"]

    def db_for_write(self, model, **hints):
        if (chosen := _replica.get()) is not None:
            chosen["wrote"] = True  # read your own writes for the rest of the request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


def content_changed_lately():
    try:
        changed_ns = content_generation()
    except Exception:  # the cache is down: the primary is the safe choice
        return True
    return time.time_ns() - changed_ns < settings.BYLINE_REPLICA_LAG_SECONDS * 1e9


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.replicas = replica_aliases()

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            # A made-up session cookie costs one lookup on the primary, not the whole page.
            and not (
                settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated
            )
            and not request.path.startswith(reverse("admin:index"))
            and not content_changed_lately()
        ):
            with reads_from(random.choice(self.replicas)):
                return self.get_response(request)
        return self.get_response(request)
