from pathlib import Path

import pytest

from provcat.curation import json_schemas, load_curation
from provcat.errors import ProvcatError

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_project_metadata_is_valid() -> None:
    curation = load_curation(ROOT / "metadata")
    assert curation.collection is not None and curation.collection.curator
    assert {a.id for a in curation.authorities} >= {"peter-neumann", "kings-college-london", "npr"}
    assert set(curation.sidecars) == {p.name for p in (ROOT / "seeds").iterdir()}


def test_missing_folder_means_no_curation(tmp_path: Path) -> None:
    curation = load_curation(tmp_path / "nothing")
    assert curation.authorities == [] and curation.sidecars == {}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("authorities.yml", "entities:\n  - id: a\n    name: [unclosed\n", "malformed YAML: line"),
        ("authorities.yml", "entities:\n  - id: a\n    name: A\n    type: planet\n", "field 'entities.0.type'"),
        ("authorities.yml", "entities:\n  - {id: a, name: A, type: place}\n  - {id: a, name: B, type: place}\n",
         "duplicate authority id 'a'"),
        ("collection.yml", "title: T\ndescription: D\nrights: R\ncurator: C\ncolour: blue\n",
         "field 'colour': unknown field"),
        ("collection.yml", "title: T\ntitle: U\n", "duplicate key 'title'"),
        ("documents/a.yml", "document: a.txt\ntype: poem\n", "field 'type'"),
        ("documents/a.yml", "document: a.txt\nentities:\n  - {entity: nobody, surfaces: [X]}\n",
         "'nobody' is not an authority id"),
    ],
)
def test_bad_metadata_is_one_line_naming_file_and_field(tmp_path: Path, name: str, text: str,
                                                        message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ProvcatError) as err:
        load_curation(tmp_path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_inputs_digest_changes_with_the_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path, "documents/a.yml", "document: a.txt\ntitle: One\n")
    before = load_curation(tmp_path).inputs_digest("a.txt")
    assert load_curation(tmp_path).inputs_digest("b.txt") != before
    path.write_text("document: a.txt\ntitle: Two\n", encoding="utf-8")
    assert load_curation(tmp_path).inputs_digest("a.txt") != before


def test_json_schemas_cover_every_file() -> None:
    schemas = json_schemas()
    assert set(schemas) == {"collection.yml", "authorities.yml", "documents/<document id>.yml"}
    assert "speakers" in schemas["documents/<document id>.yml"]["properties"]
