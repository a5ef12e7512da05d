"""Affiliate addresses pasted into Markdown, turned into the site's own /go/ links: what the
post form's "Make /go/ links of affiliate URLs" button and `import_posts --go-links` do.

Only link targets change: `[text](URL)`, `[text](<URL> "title")`, reference definitions
`[id]: URL`, autolinks `<URL>` and `href="URL"` of raw HTML anchors (what WordPress exports
hold). Text, code spans and fenced code blocks are left as they are.
"""

import re

from blog.affiliates import GO_PREFIX, current_rules

# Code that shows addresses rather than links to them: fenced blocks (to their closing fence,
# or the end) and inline code spans (a run of backticks to the next run of the same length).
_CODE = re.compile(
    r"^[ ]{0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^[ ]{0,3}(?P=fence)[ \t]*$|\Z)"
    r"|(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)",
    re.MULTILINE | re.DOTALL,
)
_URL = r"https?://[^\s<>()\"']+"
_TARGETS = re.compile(
    # ](URL) and ](<URL>), with or without a title after
    rf"(?P<inline>\]\(\s*<?)(?P<inline_url>{_URL})"
    # [id]: URL, at the start of a line
    rf"|(?P<definition>^[ ]{{0,3}}\[[^\]\n]+\]:[ \t]*<?)(?P<definition_url>{_URL})"
    # <URL>, an autolink: it becomes [URL](/go/…/), as </go/…/> is not one
    rf"|<(?P<autolink_url>{_URL})>"
    # <a … href="URL" …>; not across another "<": each unclosed "<a " would scan to the end
    rf"|(?P<anchor><a\s[^<>]*?\bhref=(?P<quote>[\"']))(?P<anchor_url>{_URL})(?=(?P=quote))",
    re.MULTILINE | re.IGNORECASE,
)


def go_address(link):
    return f"{GO_PREFIX}{link.slug}/"


def replace_affiliate_urls(markdown, rules=None):
    """`markdown` with every link target an affiliate network's rules recognise pointing at
    its sponsored link's /go/ address instead (the link made if there is none), and the
    sponsored links used, in order of first use, each once."""
    from blog.models import SponsoredLink

    rules = rules or current_rules()
    links, found = [], {}

    def link_for(url):
        if url not in found:
            found[url] = SponsoredLink.objects.for_destination(url, rules)
            if found[url] is not None and found[url] not in links:
                links.append(found[url])
        return found[url]

    def replace(match):
        for kind in ("inline", "definition", "anchor"):
            if match[f"{kind}_url"]:
                link = link_for(match[f"{kind}_url"])
                return match[kind] + go_address(link) if link else match[0]
        url = match["autolink_url"]
        link = link_for(url)
        return f"[{url}]({go_address(link)})" if link else match[0]

    pieces, start = [], 0
    for code in _CODE.finditer(markdown):
        pieces.append(_TARGETS.sub(replace, markdown[start : code.start()]))
        pieces.append(code[0])
        start = code.end()
    pieces.append(_TARGETS.sub(replace, markdown[start:]))
    return "".join(pieces), links
