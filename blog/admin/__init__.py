"""The admin: posts (workflow, revisions, previews, imports), standalone pages, topics and
tags, records of old addresses and state changes, sponsored content and its click report.
Importing each module registers its models."""

from blog.admin import golive, pages, posts, records, reports, sponsored, taxonomy

__all__ = ["golive", "pages", "posts", "records", "reports", "sponsored", "taxonomy"]
