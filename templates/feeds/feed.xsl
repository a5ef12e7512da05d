<?xml version="1.0" encoding="utf-8"?>{% comment %}
How a browser shows a feed (RSS or Atom) opened as a page: the feed's items as a list, and what
a feed is for. Feed readers ignore it. Served at /feed.xsl; no script, no inline style, so the
site's Content-Security-Policy holds.
{% endcomment %}
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="address" select="(/rss/channel/atom:link[@rel='self'] | /atom:feed/atom:link[@rel='self'])/@href"/>

  <xsl:template match="/">
    <html lang="{{ language }}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="color-scheme" content="light dark"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="icon" href="{{ favicon_url }}" type="image/svg+xml"/>
        <link rel="stylesheet" href="{{ stylesheet_url }}"/>
      </head>
      <body>
        <header class="site-header">
          <div class="site-header__inner">
            <div class="site-header__brand">
              <a class="site-header__name" href="{{ home_url }}">{{ site_name }}</a>
            </div>
          </div>
        </header>
        <main id="content" class="site-main feed-view">
          <p class="feed-view__kind">Feed</p>
          <h1 class="page-title"><xsl:value-of select="$title"/></h1>
          <xsl:if test="$description">
            <p class="page-intro"><xsl:value-of select="$description"/></p>
          </xsl:if>
          <section class="feed-note" aria-labelledby="feed-note-title">
            <h2 id="feed-note-title" class="feed-note__title">This is a feed, for a feed reader</h2>
            <p>A feed reader collects new posts from the sites you follow in one place, without an account here or an email.
              To follow this feed, copy its address into your reader’s “Add” or “Subscribe” box:</p>
            <xsl:if test="$address">
              <p class="feed-address"><code class="feed-address__url"><xsl:value-of select="$address"/></code></p>
            </xsl:if>
            <p><a href="{{ subscribe_url }}">More about feed readers, and every feed of {{ site_name }}</a></p>
          </section>
          <h2 class="section-title">Latest posts in this feed</h2>
          <xsl:choose>
            <xsl:when test="/rss/channel/item | /atom:feed/atom:entry">
              <ol class="feed-items">
                <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
              </ol>
            </xsl:when>
            <xsl:otherwise><p class="empty">No posts yet.</p></xsl:otherwise>
          </xsl:choose>
        </main>
        <footer class="site-footer">
          <p><a href="{{ home_url }}">{{ site_name }}</a> · <a href="{{ subscribe_url }}">Subscribe</a></p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="post-card">
      <h3 class="post-card__title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="post-card__meta">
        <xsl:call-template name="rss-date"><xsl:with-param name="date" select="pubDate"/></xsl:call-template>
        <xsl:if test="dc:creator"> · <xsl:for-each select="dc:creator"><xsl:value-of select="."/><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></xsl:if>
      </p>
      <xsl:if test="description"><p class="post-card__excerpt"><xsl:value-of select="description"/></p></xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="post-card">
      <h3 class="post-card__title"><a href="{(atom:link[@rel='alternate'] | atom:link[not(@rel)])[1]/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="post-card__meta">
        <xsl:call-template name="iso-date"><xsl:with-param name="date" select="(atom:published | atom:updated)[1]"/></xsl:call-template>
        <xsl:if test="atom:author"> · <xsl:for-each select="atom:author"><xsl:value-of select="atom:name"/><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></xsl:if>
      </p>
      <xsl:if test="atom:summary"><p class="post-card__excerpt"><xsl:value-of select="atom:summary"/></p></xsl:if>
    </li>
  </xsl:template>

  <!-- "Sun, 06 Dec 2026 10:00:00 +0000" as <time datetime="2026-12-06">6 December 2026</time> -->
  <xsl:template name="rss-date">
    <xsl:param name="date"/>
    <xsl:variable name="month" select="string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', substring($date, 9, 3))) div 3 + 1"/>
    <xsl:call-template name="time">
      <xsl:with-param name="year" select="substring($date, 13, 4)"/>
      <xsl:with-param name="month" select="$month"/>
      <xsl:with-param name="day" select="number(substring($date, 6, 2))"/>
    </xsl:call-template>
  </xsl:template>

  <!-- "2026-12-06T10:00:00Z" likewise -->
  <xsl:template name="iso-date">
    <xsl:param name="date"/>
    <xsl:call-template name="time">
      <xsl:with-param name="year" select="substring($date, 1, 4)"/>
      <xsl:with-param name="month" select="number(substring($date, 6, 2))"/>
      <xsl:with-param name="day" select="number(substring($date, 9, 2))"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="time">
    <xsl:param name="year"/>
    <xsl:param name="month"/>
    <xsl:param name="day"/>
    <time datetime="{$year}-{format-number($month, '00')}-{format-number($day, '00')}">
      <xsl:value-of select="$day"/>
      <xsl:text> </xsl:text>
      <xsl:choose>
        <xsl:when test="$month = 1">January</xsl:when>
        <xsl:when test="$month = 2">February</xsl:when>
        <xsl:when test="$month = 3">March</xsl:when>
        <xsl:when test="$month = 4">April</xsl:when>
        <xsl:when test="$month = 5">May</xsl:when>
        <xsl:when test="$month = 6">June</xsl:when>
        <xsl:when test="$month = 7">July</xsl:when>
        <xsl:when test="$month = 8">August</xsl:when>
        <xsl:when test="$month = 9">September</xsl:when>
        <xsl:when test="$month = 10">October</xsl:when>
        <xsl:when test="$month = 11">November</xsl:when>
        <xsl:otherwise>December</xsl:otherwise>
      </xsl:choose>
      <xsl:text> </xsl:text>
      <xsl:value-of select="$year"/>
    </time>
  </xsl:template>
</xsl:stylesheet>
