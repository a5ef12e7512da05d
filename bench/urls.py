"""The site's URLs, plus the bare view the bench measures each row's ceiling with."""

from django.urls import path

from bench.views import bare
from config import urls as site

handler500 = site.handler500
urlpatterns = [path("__bench__/bare/<slug:name>/", bare), *site.urlpatterns]
