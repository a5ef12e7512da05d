"""The site's one way of writing dates, on the public site and in the admin alike ("6 December
2026", "6 December 2026, 14:05"): templates name these formats (`|date:"DATE_FORMAT"`) rather
than spelling a format out. English's other formats (what forms accept) stay Django's."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
