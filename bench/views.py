"""The bench's bare view (the ceiling) and its per-request query count."""

import os
from pathlib import Path

from django.db import connection
from django.http import Http404, HttpResponse

_payloads = {}


def bare(request, name):
    """The bytes saved as BENCH_PAYLOAD_DIR/<name>, with nothing computed: what serving any
    page of that size through Django, its middleware and gunicorn costs at best."""
    if name not in _payloads:
        path = Path(os.environ.get("BENCH_PAYLOAD_DIR", "")) / name
        if not path.is_file():
            raise Http404
        _payloads[name] = path.read_bytes()
    return HttpResponse(_payloads[name], content_type="text/html; charset=utf-8")


class QueryCountMiddleware:
    """With `X-Bench-Count-Queries` on the request, the response says in
    `X-Bench-Queries` how many SQL statements it ran (the connection health check, which
    does not go through a cursor, is not counted), and in `X-Bench-Worker` which worker
    answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "X-Bench-Count-Queries" not in request.headers:
            return self.get_response(request)
        statements = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(len(statements))
        response["X-Bench-Worker"] = str(os.getpid())  # the bench warms every worker's cache
        return response
