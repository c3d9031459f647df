import io

import pytest

from services.registry.imports.model import Row, RowError, draft_of, read_rows
from services.registry.search.model import bucket_of, plan_search, query_bucket


def rows(text: str) -> list[Row]:
    return list(read_rows(io.StringIO(text)))


def test_rows_stream_with_their_line_numbers_and_lists_split() -> None:
    (row,) = rows('name,phones,tags,consent_sms\n"Ada, Countess",030 1;030 2,aggressive,yes\n')
    draft = draft_of(row)
    assert row.number == 2
    assert draft.name == "Ada, Countess"
    assert draft.phones == ["030 1", "030 2"]
    assert draft.tags == ["aggressive"]
    assert draft.consents == {"sms": True} and draft.consent_source == "import"


def test_a_bad_value_names_its_column() -> None:
    (row,) = rows("name,birthday,consent_post\nAda,1815-13-10,\n")
    with pytest.raises(RowError, match="birthday"):
        draft_of(row)
    (row,) = rows("name,consent_post\nAda,maybe\n")
    with pytest.raises(RowError, match="consent_post 'maybe' must be yes or no"):
        draft_of(row)


def test_a_file_without_a_name_column_is_refused() -> None:
    with pytest.raises(RowError, match="`name` column"):
        rows("phone\n030 1\n")


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("ada@example.com", "email"),
        ("+49 30 1234567", "phone"),
        ("4000123412341234", "card"),
        ("Müller", "name"),
    ],
)
def test_a_query_is_read_as_what_it_looks_like(query: str, kind: str) -> None:
    assert plan_search(query, "DE").kind.startswith(kind)


def test_a_name_query_reads_the_bucket_of_its_longest_part() -> None:
    assert query_bucket("ada lovel") == "name:lov"
    assert bucket_of("li") == "name:li"
