"""What the demo loader remembers."""

from django.db import models
from django.utils import timezone


class DemoPost(models.Model):
    """A demo post `load_demo` has loaded here. Kept when the post is deleted, so the next
    load does not bring it back; the first one's time is what the demo's dates count from."""

    source_id = models.CharField(max_length=255, unique=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.source_id
