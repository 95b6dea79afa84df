"""The committed case set is what the generator writes, and it holds no personal data."""

import csv
import re

from settlement import generate_2006

FIXTURES = generate_2006.OUT_DIR


def test_the_generator_is_deterministic_and_matches_the_committed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(generate_2006, "OUT_DIR", tmp_path)
    (tmp_path / "municipalities.csv").write_bytes((FIXTURES / "municipalities.csv").read_bytes())
    generate_2006.main()
    for name in ("cases_2006.csv", "municipal_places_2006.csv"):
        assert (tmp_path / name).read_text() == (FIXTURES / name).read_text(), name


def test_the_case_file_has_only_pseudonymous_columns():
    with (FIXTURES / "cases_2006.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert set(reader.fieldnames) == set(generate_2006.CASE_FIELDS)
    assert not {"name", "first_name", "last_name", "national_id", "fodselsnummer"} & set(
        reader.fieldnames
    )
    assert all(re.fullmatch(r"K[0-9a-f]{10}", row["case_key"]) for row in rows)
    # Nothing in the file looks like an 11-digit Norwegian identity number.
    text = (FIXTURES / "cases_2006.csv").read_text()
    assert re.search(r"\b\d{11}\b", text) is None


def test_families_share_their_dates_and_municipality():
    with (FIXTURES / "cases_2006.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["family_group_key"]]
    families: dict[str, list[dict]] = {}
    for row in rows:
        families.setdefault(row["family_group_key"], []).append(row)
    assert len(families) > 100
    for members in families.values():
        assert len(members) == int(members[0]["family_size"])
        assert len({(m["settled_date"], m["municipality"], m["permit_date"]) for m in members}) == 1
