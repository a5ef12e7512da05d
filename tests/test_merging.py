"""Three-way merges of post content (blog/merging.py): pure functions, no database."""

from blog.merging import merge

BASE = {
    "title": "Bread",
    "description": "On bread.",
    "body": "# Bread\n\nFlour.\n\nWater.\n\nSalt.\n",
    "status": "draft",
    "tags": ["bread", "rye"],
    "topics": ["baking"],
    "authors": ["ann"],
    "faqs": [{"question": "Why?", "answer": "Because."}, {"question": "How?", "answer": "So."}],
    "references": [],
}


def changed(**fields):
    return {**BASE, **fields}


def test_a_field_changed_on_one_side_takes_that_side():
    result = merge(BASE, changed(title="Better bread"), changed(description="All on bread."))

    assert result.clean
    assert result.content["title"] == "Better bread"
    assert result.content["description"] == "All on bread."
    assert result.taken == ["title"]


def test_a_field_changed_alike_on_both_sides_is_no_conflict():
    result = merge(BASE, changed(title="Same"), changed(title="Same"))

    assert result.clean and result.content["title"] == "Same" and result.taken == []


def test_a_field_changed_differently_on_both_sides_is_a_conflict_keeping_mine():
    result = merge(BASE, changed(title="Theirs"), changed(title="Mine"))

    assert [c.key for c in result.conflicts] == ["title"]
    assert result.conflicts[0].theirs == "Theirs"
    assert result.content["title"] == "Mine"


def test_body_edits_in_different_paragraphs_merge():
    theirs = changed(body=BASE["body"].replace("Flour.", "Strong flour."))
    mine = changed(body=BASE["body"].replace("Salt.", "A pinch of salt."))

    result = merge(BASE, theirs, mine)

    assert result.clean
    assert result.content["body"] == "# Bread\n\nStrong flour.\n\nWater.\n\nA pinch of salt."
    assert result.taken == ["body"]


def test_a_last_line_end_stripped_by_the_form_is_no_change():
    theirs = changed(body=BASE["body"].replace("Flour.", "Spelt.").rstrip("\n"))
    mine = changed(body=BASE["body"].replace("Salt.", "Sea salt.").rstrip("\n"))

    result = merge(BASE, theirs, mine)

    assert result.clean and result.content["body"].endswith("Sea salt.")


def test_body_edits_of_the_same_line_conflict_with_the_region_marked():
    theirs = changed(body=BASE["body"].replace("Water.", "Warm water.").replace("Flour.", "Rye."))
    mine = changed(body=BASE["body"].replace("Water.", "Cold water."))

    result = merge(BASE, theirs, mine)

    (conflict,) = result.conflicts
    (hunk,) = conflict.hunks
    assert (hunk.theirs, hunk.mine, hunk.before) == (["Warm water.\n"], ["Cold water.\n"], "Rye.")
    # Mine where they clash, theirs merged in elsewhere.
    assert result.content["body"] == "# Bread\n\nRye.\n\nCold water.\n\nSalt."


def test_windows_line_endings_from_a_browser_do_not_count_as_changes():
    mine = changed(body=BASE["body"].replace("\n", "\r\n").replace("Salt.", "Sea salt."))
    theirs = changed(body=BASE["body"].replace("Flour.", "Spelt."))

    result = merge(BASE, theirs, mine)

    assert result.clean
    assert result.content["body"] == "# Bread\n\nSpelt.\n\nWater.\n\nSea salt."


def test_tags_and_topics_merge_each_sides_additions_and_removals():
    theirs = changed(tags=["bread", "rye", "sourdough"], topics=[])
    mine = changed(tags=["bread"], topics=["baking", "history"])

    result = merge(BASE, theirs, mine)

    assert result.clean
    assert result.content["tags"] == ["bread", "sourdough"]
    assert result.content["topics"] == ["history"]


def test_authors_changed_differently_are_a_conflict():
    result = merge(BASE, changed(authors=["ann", "bob"]), changed(authors=["carla", "ann"]))

    assert [c.key for c in result.conflicts] == ["authors"]


def test_faqs_merge_row_by_row():
    faqs = BASE["faqs"]
    theirs = changed(faqs=[{"question": "Why?", "answer": "It rises."}, faqs[1]])
    mine = changed(faqs=[*faqs, {"question": "When?", "answer": "Now."}])

    result = merge(BASE, theirs, mine)

    assert result.clean
    assert result.content["faqs"] == [
        {"question": "Why?", "answer": "It rises."},
        faqs[1],
        {"question": "When?", "answer": "Now."},
    ]


def test_the_same_faq_changed_differently_is_a_conflict():
    faqs = BASE["faqs"]
    theirs = changed(faqs=[{"question": "Why?", "answer": "Theirs."}, faqs[1]])
    mine = changed(faqs=[{"question": "Why?", "answer": "Mine."}, faqs[1]])

    (conflict,) = merge(BASE, theirs, mine).conflicts

    assert conflict.hunks[0].theirs == [{"question": "Why?", "answer": "Theirs."}]
    assert conflict.hunks[0].mine == [{"question": "Why?", "answer": "Mine."}]


def test_without_a_base_every_difference_is_a_conflict():
    result = merge(None, changed(title="Theirs", tags=["a"]), changed(tags=["b"]))

    assert sorted(c.key for c in result.conflicts) == ["tags", "title"]
    assert merge(None, BASE, BASE).clean
