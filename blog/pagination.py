"""Pages of a list without counting the list.

Counting every published post (or every post of a tag) is the one query of a list page whose
cost grows with the site. A page here reads one row more than it shows instead: that row says
whether an older page follows. Pages link to the newer and older page, not to the last one.
Search results carry their own count instead (SearchPaginator).
"""

from functools import cached_property

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

# No site has this many pages of 20 posts; a larger number is a 404 without a query.
MAX_PAGE = 1_000_000


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, more):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class UncountedPaginator(Paginator):
    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:  # its OFFSET would not fit the database's integers
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and (number > 1 or not self.allow_empty_first_page):
            raise EmptyPage("That page contains no results")
        return UncountedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)

    @cached_property
    def count(self):
        """Only for what asks for it (`?page=last`): the pages themselves never count."""
        return super().count


class SearchPaginator(UncountedPaginator):
    """Pages of search results (SearchCards), which carry their own count (`search_total`):
    a page is one query, not a COUNT and then the rows. A page past the last is EmptyPage."""

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        self.count = rows[0].search_total if rows else 0  # instead of the COUNT query
        return self._get_page(rows, number, self)
