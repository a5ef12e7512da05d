"""A corpus of XSS vectors, written for Byline from the ideas in the public cheat sheets (OWASP's
filter-evasion sheet, PortSwigger's XSS cheat sheet, the mutation-XSS papers).

Every vector, if it ever ran, would call `__xss(<its number>)` (or a trapped alert, confirm,
prompt or print), so a test knows which one got through. `CALL` in a template is that call;
`B64` is it as base64. No NUL characters: PostgreSQL text cannot hold them.
"""

import base64

MARKUP = [
    # Script elements, in every spelling a filter might miss.
    "<script>CALL</script>",
    "<ScRiPt>CALL</sCrIpT>",
    '<script src="data:text/javascript,CALL"></script>',
    "<script\x0c>CALL</script>",
    "<scr<script>ipt>CALL</scr</script>ipt>",
    "<<script>CALL//<</script>",
    '<script type="text/javascript">CALL</script>',
    "<script>/*</script><script>*/CALL</script>",
    # Breakouts from the page's own <script type="application/ld+json"> blocks.
    "</script><script>CALL</script>",
    "</SCRIPT ><svg onload=CALL>",
    '"}]}</script><img src=x onerror=CALL>',
    "<!--<script>--></script><img src=x onerror=CALL>",
    "\\u003c/script\\u003e\\u003cimg src=x onerror=CALL\\u003e",
    # Event handlers on many elements, quoting and spacing varied.
    "<img src=x onerror=CALL>",
    '<img src="x" onerror="CALL">',
    "<IMG SRC=x oNeRrOr=CALL>",
    "<img/src=x/onerror=CALL>",
    "<img src=x onerror\n=CALL>",
    "<img src=x onerror=&#95;&#95;xss&#40;NUM&#41;>",
    '<img src="x" onerror="&#x5f;&#x5f;xss(NUM)">',
    "<img src=x onerror=eval(atob('B64'))>",
    "<img src=x onerror=window['__x'+'ss'](NUM)>",
    "<img src=x onerror=top.__xss(NUM)>",
    "<img src=x onerror=alert(NUM)>",
    "<img src=x onerror=confirm(NUM)>",
    "<img src=x onerror=prompt(NUM)>",
    "<img src=x onerror=print()>",
    "<img src=x onerror=CALL//",
    "<img srcset=x onerror=CALL>",
    "<picture><source srcset=x><img src=x onerror=CALL></picture>",
    "<svg onload=CALL>",
    "<svg/onload=CALL>",
    "<sVg OnLoAd=CALL>",
    "<body onload=CALL>",
    "<input autofocus onfocus=CALL>",
    "<input type=image src=x onerror=CALL>",
    "<select autofocus onfocus=CALL></select>",
    "<textarea autofocus onfocus=CALL></textarea>",
    "<keygen autofocus onfocus=CALL>",
    "<a href=#x id=x autofocus onfocus=CALL>x</a>",
    "<details open ontoggle=CALL>x</details>",
    "<video><source onerror=CALL></video>",
    "<video src=x onerror=CALL></video>",
    "<audio src=x onerror=CALL></audio>",
    "<marquee onstart=CALL>x</marquee>",
    "<div onmouseover=CALL>hover me</div>",
    "<a onclick=CALL>click me</a>",
    "<x-widget onclick=CALL>custom element</x-widget>",
    "<style onload=CALL></style>",
    "<link rel=stylesheet href=x onerror=CALL>",
    "<object data=x onerror=CALL></object>",
    "<body onpageshow=CALL>",
    "<div contenteditable onfocus=CALL autofocus>x</div>",
    # Frames, objects and other ways to load a document.
    "<iframe onload=CALL></iframe>",
    '<iframe src="javascript:parent.CALL"></iframe>',
    '<iframe srcdoc="<script>parent.CALL</script>"></iframe>',
    '<iframe src="data:text/html,<script>parent.CALL</script>"></iframe>',
    '<object data="javascript:CALL"></object>',
    '<object data="data:text/html,<script>parent.CALL</script>"></object>',
    '<embed src="javascript:CALL">',
    '<embed src="data:image/svg+xml,<svg onload=parent.CALL>">',
    '<meta http-equiv="refresh" content="0;url=javascript:CALL">',
    '<base href="javascript:CALL//">',
    '<form action="javascript:CALL"><input type=submit value=go></form>',
    '<form><button formaction="javascript:CALL">go</button></form>',
    '<isindex action="javascript:CALL" type=image>',
    '<table background="javascript:CALL"><tr><td>x</td></tr></table>',
    '<img src="javascript:CALL">',
    '<img dynsrc="javascript:CALL" lowsrc="javascript:CALL">',
    '<div style="background:url(javascript:CALL)">x</div>',
    '<div style="width:expression(CALL)">x</div>',
    # javascript:, vbscript: and data: URLs with entities, case, whitespace and control chars.
    '<a href="javascript:CALL">x</a>',
    '<a href="JaVaScRiPt:CALL">x</a>',
    '<a href=" javascript:CALL">x</a>',
    '<a href="java\tscript:CALL">x</a>',
    '<a href="java&#x09;script:CALL">x</a>',
    '<a href="java&NewLine;script:CALL">x</a>',
    '<a href="&#106;avascript:CALL">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;CALL">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112'
    '&#0000116&#0000058CALL">x</a>',
    '<a href="javascript&colon;CALL">x</a>',
    '<a href="\x01javascript:CALL">x</a>',
    '<a href="javascript://%0aCALL">x</a>',
    '<a href="vbscript:msgbox(NUM)">x</a>',
    '<a href="data:text/html,<script>CALL</script>">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    # SVG and MathML namespace confusion.
    "<svg><script>CALL</script></svg>",
    '<svg><a xlink:href="javascript:CALL"><text x="0" y="20">x</text></a></svg>',
    '<svg><a href="javascript:CALL"><circle r="40"></circle></a></svg>',
    "<svg><animate onbegin=CALL attributeName=x dur=1s>",
    "<svg><set attributeName=onload to=CALL></set></svg>",
    "<svg><foreignObject><img src=x onerror=CALL></foreignObject></svg>",
    '<svg></p><style><a id="</style><img src=x onerror=CALL>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=CALL></style></mglyph></table></math>",
    '<math><mi xlink:href="javascript:CALL">x</mi></math>',
    "<math><style><img src=x onerror=CALL></style></math>",
    "<svg><title><img src=x onerror=CALL></title></svg>",
    # Mutation XSS: content that changes meaning when parsed again.
    '<noscript><p title="</noscript><img src=x onerror=CALL>"></noscript>',
    "<template><img src=x onerror=CALL></template>",
    "<style><img src=x onerror=CALL></style>",
    "<textarea><img src=x onerror=CALL></textarea>",
    "<title><img src=x onerror=CALL></title>",
    "<iframe><img src=x onerror=CALL></iframe>",
    "<noembed><img src=x onerror=CALL></noembed>",
    "<xmp><img src=x onerror=CALL></xmp>",
    "<!--><img src=x onerror=CALL>-->",
    "<![CDATA[><img src=x onerror=CALL>]]>",
    '<a title="</a><img src=x onerror=CALL>">x</a>',
    '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style>'
    '<img src=x onerror=CALL>">',
    # Breaking out of attributes, elements and comments the value may land in.
    '"><svg onload=CALL>',
    "'><svg onload=CALL>",
    '" autofocus onfocus="CALL',
    "' autofocus onfocus='CALL",
    '" onmouseover="CALL" x="',
    "</title><svg onload=CALL>",
    "</textarea><svg onload=CALL>",
    "</style><svg onload=CALL>",
    "--><svg onload=CALL>",
    "]]><svg onload=CALL>",
    "</a><svg onload=CALL>",
    # Template-ish strings: nothing here may be evaluated by anything.
    "{{ 7|add:7 }}{% debug %}<svg onload=CALL>",
    "${CALL}",
    "{{constructor.constructor('CALL')()}}",
    "#{CALL}<%= CALL %>",
    # Unicode tricks.
    "\uff1cscript\uff1eCALL\uff1c/script\uff1e",
    "<img src=x onerror=CALL\u2028>",
    "\u202e>gvs<<svg onload=CALL>",
    "<img src=x on\u0435rror=CALL>",  # a Cyrillic е
    '<a href="javascript\u200b:CALL">x</a>',
]

MARKDOWN = [
    "[x](javascript:CALL)",
    "[x](JAVASCRIPT:CALL)",
    "[x](&#106;avascript:CALL)",
    '[x]( javascript:CALL "title")',
    "[x](<javascript:CALL>)",
    "[x](java%0ascript:CALL)",
    "[x](vbscript:CALL)",
    "[x](data:text/html,<script>CALL</script>)",
    "<javascript:CALL>",
    "[x][rNUM]\n\n[rNUM]: javascript:CALL",
    "![x](javascript:CALL)",
    '![x](x" onerror="CALL)',
    '![x" onerror="CALL](x)',
    '[x](x" onmouseover="CALL)',
    "![x](data:image/svg+xml,<svg onload=CALL>)",
    '[x](https://example.org/" onclick="CALL)',
    "```\n</code></pre><img src=x onerror=CALL>\n```",
    "`<img src=x onerror=CALL>`",
    "| a |\n|---|\n| <img src=x onerror=CALL> |",
    "Note[^fNUM]\n\n[^fNUM]: <img src=x onerror=CALL>",
    "*[HTML]: <img src=x onerror=CALL>\n\nHTML here",
    "# <img src=x onerror=CALL>",
]

URL = [
    "javascript:CALL",
    "JavaScript:CALL",
    " javascript:CALL",
    "java\tscript:CALL",
    "javascript&colon;CALL",
    "&#106;avascript:CALL",
    "\x01javascript:CALL",
    "javascript://example.org/%0aCALL",
    "vbscript:msgbox(NUM)",
    "data:text/html,<script>CALL</script>",
    "data:text/html;base64,B64",
    'https://example.org/"><svg onload=CALL>',
    "https://example.org/'onmouseover='CALL",
    '//example.org/"onmouseover="CALL',
]


def _fill(template, number):
    call = f"__xss({number})"
    b64 = base64.b64encode(call.encode()).decode()
    return template.replace("CALL", call).replace("NUM", str(number)).replace("B64", b64)


def _numbered(templates, start):
    return [(start + i, _fill(template, start + i)) for i, template in enumerate(templates)]


MARKUP_VECTORS = _numbered(MARKUP, 1)
MARKDOWN_VECTORS = _numbered(MARKDOWN, 1 + len(MARKUP))
URL_VECTORS = _numbered(URL, 1 + len(MARKUP) + len(MARKDOWN))
TEXT_VECTORS = MARKUP_VECTORS + MARKDOWN_VECTORS  # for fields of plain text and of Markdown
ALL_VECTORS = TEXT_VECTORS + URL_VECTORS


def pack(vectors, limit):
    """The vectors' texts packed into as few strings of at most `limit` characters as can
    hold them, separated by spaces, in order; longer vectors are left out."""
    packed, current = [], ""
    for _, text in vectors:
        if len(text) > limit:
            continue
        if current and len(current) + 1 + len(text) > limit:
            packed.append(current)
            current = ""
        current = f"{current} {text}" if current else text
    return [*packed, current] if current else packed
