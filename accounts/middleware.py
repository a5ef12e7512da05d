import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

# A logged-in session's end is pushed back at most this often: one session write a minute
# instead of one per request.
_REFRESH_SECONDS = 60
_LAST_ACTIVITY = "byline_last_activity"


def not_activity(request):
    """Mark `request` as sent by a page on its own (the post form's presence heartbeat), not by
    the person at it: it does not keep an idle session from ending."""
    request.byline_not_activity = True


class IdleSessionMiddleware:
    """End a logged-in session after BYLINE_SESSION_IDLE_SECONDS without a request.

    SESSION_COOKIE_AGE is the idle time; activity moves the session's expiry forward.
    SESSION_SAVE_EVERY_REQUEST would do the same with a database read and write on every
    request, cached public pages included; this touches only sessions the request already
    loaded, and only a logged-in user's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.accessed
            and SESSION_KEY in session
            and not getattr(request, "byline_not_activity", False)
        ):
            now = int(time.time())
            if now - session.get(_LAST_ACTIVITY, 0) >= min(
                _REFRESH_SECONDS, settings.BYLINE_SESSION_IDLE_SECONDS
            ):
                # Marks the session modified: SessionMiddleware saves it with a new expiry.
                session[_LAST_ACTIVITY] = now
        return response
