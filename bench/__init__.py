"""`make bench`: the bulk loader, the gunicorn and wrk runs, and the results table."""
