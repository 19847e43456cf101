"""Authority control: the collection's curation.yml, validated, and applied to every build."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from cli_runner import run

from provcat.authority_control import Control
from provcat.curation import load_curation
from provcat.errors import ProvcatError
from provcat.models import CurationFile

WHO = {"by": "A. Curator", "date": "2026-12-01", "why": "checked against the masthead"}

TEXTS = {
    "a.txt": ('Jane Doe, a reporter for the Daily Ledger, said the council met in Springfield on Monday.\n'
              '"We have no plans to close the library," said Mayor Tom Baker.\n'
              'Baker added that Acme Corp would pay for the repairs.\n'),
    "b.txt": ('JANE DOE reported from Springfield. Acme Corporation denied the claim.\n'
              '"The repairs are paid," said Tom Baker, the mayor.\n'),
}

CURATION = """\
actions:
  - action: merge
    entities: [{name: Acme Corporation, type: organization}, {name: Acme Corp}]
    by: A. Curator
    date: 2026-12-01
    why: the same company; the short form is in a.txt
  - action: rename
    entity: {name: Daily Ledger}
    name: The Daily Ledger
    by: A. Curator
    date: 2026-12-01
    why: the masthead's own name
  - action: reject
    entity: {name: Springfield}
    documents: [b.txt]
    by: B. Curator
    date: 2026-12-02
    why: a dateline, not a place the report is about
  - action: split
    entity: {name: Tom Baker, type: person}
    documents: [b.txt]
    name: Thomas Baker
    by: A. Curator
    date: 2026-12-01
    why: the mayor of another town of that name
  - action: confirm
    entity: {name: jane doe, type: person}
    by: A. Curator
    date: 2026-12-01
    why: the byline
  - action: retype
    entity: {name: Nowhere Land}
    type: place
    by: A. Curator
    date: 2026-12-01
    why: a name no document has
"""


def control(*actions: dict) -> Control:
    return Control(CurationFile.model_validate({"actions": [{**WHO, **a} for a in actions]}).actions)


def refusal(folder: Path, name: str, text: str) -> str:
    """The error loading a metadata folder whose file ``name`` holds ``text`` gives."""
    (folder / name).write_text(text)
    with pytest.raises(ProvcatError) as err:
        load_curation(folder)
    return str(err.value)


def test_merge_routes_every_listed_name_to_the_first() -> None:
    c = control({"action": "merge", "entities": [{"name": "Acme Corporation", "type": "organization"},
                                                 {"name": "Acme Corp"}, {"name": "ACME"}]})
    assert c.route("acme corp", "organization", "a.txt").name == "Acme Corporation"
    assert c.route("ACME", "place", "a.txt").type == "organization"  # the first entity's type wins
    assert c.route("Acme Corporation", "organization", "a.txt").actions == ()  # already the one
    assert c.route("Acme Inc", "organization", "a.txt").name == "Acme Inc"


def test_a_typed_reference_leaves_the_other_types_alone() -> None:
    c = control({"action": "retype", "entity": {"name": "Washington", "type": "person"}, "type": "place"})
    assert c.route("Washington", "person", "a.txt").type == "place"
    assert c.route("Washington", "organization", "a.txt").type == "organization"


def test_split_and_reject_apply_only_to_their_documents() -> None:
    c = control({"action": "split", "entity": {"name": "Tom Baker"}, "documents": ["b.txt"], "name": "Thomas Baker"},
                {"action": "reject", "entity": {"name": "Springfield"}, "documents": ["b.txt"]})
    assert c.route("Tom Baker", "person", "a.txt").name == "Tom Baker"
    assert c.route("Tom Baker", "person", "b.txt").name == "Thomas Baker"
    assert c.route("Springfield", "place", "a.txt").rejected_by is None
    assert c.route("Springfield", "place", "b.txt").rejected_by == 2
    assert c.applied == {1: 1, 2: 1}


def test_actions_build_on_each_other() -> None:
    c = control({"action": "rename", "entity": {"name": "Ledger"}, "name": "Daily Ledger"},
                {"action": "merge", "entities": [{"name": "Daily Ledger"}, {"name": "The Ledger Online"}]},
                {"action": "retype", "entity": {"name": "Daily Ledger"}, "type": "organization"})
    routed = c.route("Ledger", "place", "a.txt")
    assert (routed.name, routed.type, routed.actions) == ("Daily Ledger", "organization", (1, 3))
    assert c.route("The Ledger Online", "person", "a.txt").actions == (2, 3)


def test_a_cycle_is_refused_when_the_file_is_read(tmp_path: Path) -> None:
    message = refusal(tmp_path, "curation.yml",
                      "actions:\n"
                      "  - {action: rename, entity: {name: A}, name: B, by: x, date: 2026-12-01, why: y}\n"
                      "  - {action: rename, entity: {name: B}, name: A, by: x, date: 2026-12-01, why: y}\n")
    assert "curation.yml" in message and "cycle" in message and "\n" not in message


@pytest.mark.parametrize("action, problem", [
    ("{action: merge, entities: [{name: A}], by: x, date: 2026-12-01, why: y}", "field 'actions.0.merge.entities'"),
    ("{action: merge, entities: [{name: A}, {name: B}], date: 2026-12-01, why: y}", "field 'actions.0.merge.by'"),
    ("{action: retype, entity: {name: A}, type: planet, by: x, date: 2026-12-01, why: y}",
     "field 'actions.0.retype.type'"),
    ("{action: rename, entity: {name: A}, name: B, by: x, date: yesterday, why: y}", "field 'actions.0.rename.date'"),
    ("{action: unmerge, entity: {name: A}, by: x, date: 2026-12-01, why: y}", "field 'actions.0'"),
    ("{action: confirm, entity: {name: A}, by: x, date: 2026-12-01, why: y, colour: red}",
     "field 'actions.0.confirm.colour': unknown field"),
])
def test_a_bad_action_is_one_line_naming_file_and_field(tmp_path: Path, action: str, problem: str) -> None:
    message = refusal(tmp_path, "curation.yml", f"actions:\n  - {action}\n")
    assert "curation.yml" in message and problem in message and "\n" not in message


def project(tmp_path: Path, curation: str | None) -> tuple[Path, Path]:
    archive, metadata = tmp_path / "archive", tmp_path / "metadata"
    archive.mkdir(exist_ok=True)
    metadata.mkdir(exist_ok=True)
    for name, text in TEXTS.items():
        (archive / name).write_text(text)
    if curation is None:
        (metadata / "curation.yml").unlink(missing_ok=True)
    else:
        (metadata / "curation.yml").write_text(curation)
    return archive, metadata


def build(tmp_path: Path, curation: str | None) -> tuple[int, str, sqlite3.Connection]:
    archive, metadata = project(tmp_path, curation)
    code, _out, err = run(["build", str(archive), "--metadata", str(metadata), "--db", "catalogue.db"], tmp_path)
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    return code, err, conn


def entities(conn: sqlite3.Connection) -> dict[str, tuple[str, int]]:
    return {name: (kind, n) for name, kind, n in conn.execute("select name, type, documents from entities")}


def test_the_actions_shape_the_catalogue_and_are_recorded(tmp_path: Path) -> None:
    code, err, conn = build(tmp_path, CURATION)
    assert code == 0
    found = entities(conn)
    assert found["Acme Corporation"] == ("organization", 2) and "Acme Corp" not in found
    assert "The Daily Ledger" in found and "Daily Ledger" not in found
    assert found["Springfield"] == ("place", 1)
    assert found["Thomas Baker"] == ("person", 1) and found["Tom Baker"] == ("person", 1)
    effects = {(e, a, t) for e, a, t in conn.execute("select entity_id, action_id, effect from entity_curation")}
    assert ("acme-corporation", 1, "merged: 'Acme Corp' (organization)") in effects
    assert ("jane-doe", 5, "confirmed") in effects
    assert ("thomas-baker", 4, "split from 'Tom Baker' in 1 document(s)") in effects
    assert ("daily-ledger", 2, "named as the curator spells it, not 'Daily Ledger'") in effects
    rows = {r[0]: r[1:] for r in conn.execute(
        "select id, action, curator, date, why, assertions from curation_actions")}
    assert rows[3] == ("reject", "B. Curator", "2026-12-02", "a dateline, not a place the report is about", 1)
    assert rows[6][-1] == 0
    assert "curation.yml: action 6 (retype) changed nothing in this catalogue" in err
    # the old names stay findable, and each moved mention says what it was extracted as
    aliases = {a for (a,) in conn.execute("select alias from entity_aliases where entity_id = 'acme-corporation'")}
    assert "Acme Corp" in aliases
    moved = conn.execute(
        "select extracted_name, curation_action_id from mentions where surface = 'Acme Corp'").fetchone()
    assert moved == ("Acme Corp", 1)
    set_aside = conn.execute("select document_id, surface, curation_action_id from rejected_mentions").fetchall()
    assert set_aside == [("b", "Springfield", 3)]
    speakers = {s for (s,) in conn.execute("select speaker from quotes where document_id = 'b'")}
    assert "Thomas Baker" in speakers


def test_withdrawn_actions_give_back_what_the_machine_found(tmp_path: Path) -> None:
    """The actions hold over extractions reused from the previous catalogue, and when they are
    withdrawn the catalogue is what the machine found, without extracting again."""
    _, _, plain = build(tmp_path, None)
    before = entities(plain)
    plain.close()
    build(tmp_path, CURATION)[2].close()
    code, _err, conn = build(tmp_path, None)
    assert code == 0
    assert entities(conn) == before
    assert conn.execute("select count(*) from rejected_mentions").fetchone() == (0,)
    assert conn.execute("select count(*) from mentions where curation_action_id is not null").fetchone() == (0,)


def test_the_actions_survive_a_rebuild_that_reuses_the_extraction(tmp_path: Path) -> None:
    first = entities(build(tmp_path, CURATION)[2])
    code, _err, conn = build(tmp_path, CURATION)
    assert code == 0 and entities(conn) == first
    assert conn.execute("select count(*) from rejected_mentions").fetchone() == (1,)


def test_authority_records_keep_their_note_and_identifiers(tmp_path: Path) -> None:
    archive, metadata = project(tmp_path, None)
    (metadata / "authorities.yml").write_text(
        "entities:\n"
        "  - {id: springfield, name: Springfield, type: place, geonames: '4409896', wikidata: Q28515,\n"
        "     note: the one in Missouri}\n"
        "  - {id: jane-doe, name: Jane Doe, type: person, viaf: '123456789', lcnaf: n80126307}\n")
    code, _out, err = run(["build", str(archive), "--metadata", str(metadata), "--db", "catalogue.db"], tmp_path)
    assert code == 0, err
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    rows = {r[0]: r[1:] for r in conn.execute("select id, wikidata, viaf, lcnaf, geonames, note from entities "
                                              "where source = 'authority'")}
    assert rows["springfield"] == ("Q28515", None, None, "4409896", "the one in Missouri")
    assert rows["jane-doe"] == (None, "123456789", "n80126307", None, None)


def test_a_malformed_identifier_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "authorities.yml", "entities:\n  - {id: x, name: X, type: person, lcnaf: 'n 8012'}\n")
    assert "authorities.yml" in message and "lcnaf" in message


def test_a_country_written_several_ways_is_one_entity_with_its_geonames_id(tmp_path: Path) -> None:
    archive, metadata = tmp_path / "archive", tmp_path / "metadata"
    archive.mkdir()
    metadata.mkdir()
    (archive / "a.txt").write_text("Officials in the U.S. said on Monday that talks would resume.\n")
    (archive / "b.txt").write_text("The United States has long argued the point, a minister said.\n")
    code, _out, err = run(["build", str(archive), "--metadata", str(metadata), "--db", "catalogue.db"], tmp_path)
    assert code == 0, err
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("select id, name, documents, geonames, identified_by from entities where type = 'place'"
                        ).fetchall() == [("united-states", "United States", 2, "6252001", "gazetteer:iso-3166")]
    assert conn.execute("select alias, method from entity_aliases where entity_id = 'united-states'").fetchall() == [
        ("U.S.", "gazetteer:iso-3166")]
    assert conn.execute("select extracted_name from mentions where surface = 'U.S.'").fetchone() == ("U.S.",)


def test_the_readmes_example_is_a_valid_curation_file(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Authority control across the collection"):]
    example = re.search(r"```yaml\n(actions:\n.*?)```", section, re.S).group(1)
    (tmp_path / "curation.yml").write_text(example)
    actions = load_curation(tmp_path).control.actions
    assert [a.action for a in actions] == ["merge", "split", "rename", "retype", "reject", "confirm"]


def test_a_split_that_closes_a_cycle_in_its_document_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, "curation.yml",
                      "actions:\n"
                      "  - {action: split, entity: {name: A}, documents: [d.txt], name: B, by: x, date: 2026-12-01,"
                      " why: y}\n"
                      "  - {action: rename, entity: {name: B}, name: A, by: x, date: 2026-12-01, why: y}\n")
    assert "cycle" in message


def test_routing_costs_grow_with_the_file_not_with_its_square() -> None:
    import time

    def make(n: int) -> tuple[Control, list[str]]:
        actions = [{"action": "merge", "entities": [{"name": f"Firm {k}"}, {"name": f"Firm {k} Ltd"}]}
                   for k in range(n)]
        actions += [{"action": "split", "entity": {"name": f"Person {k}"}, "documents": [f"d{k}.txt"],
                     "name": f"Other {k}"} for k in range(n)]
        return control(*actions), [f"Firm {k} Ltd" for k in range(n)]

    def cost(n: int) -> float:
        started = time.perf_counter()
        c, names = make(n)
        for name in names:
            c.route(name, "organization", "d0.txt")
        return time.perf_counter() - started

    small, large = min(cost(500) for _ in range(3)), min(cost(2000) for _ in range(3))
    assert large / small < 8, (small, large)  # linear: about 4; quadratic: about 16
