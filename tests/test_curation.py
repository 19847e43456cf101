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
    assert set(schemas) == {"collection.yml", "authorities.yml", "curation.yml", "documents/<document id>.yml"}
    assert "speakers" in schemas["documents/<document id>.yml"]["properties"]


# --------------------------------------------------------------------------------------------
# Hostile YAML: what a curated file costs is bounded by its size
# --------------------------------------------------------------------------------------------

#: 425 bytes that stand for 10**9 strings once expanded ("billion laughs").
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True))


def test_the_alias_bomb_is_what_it_claims() -> None:
    import yaml

    assert len(ALIAS_BOMB) < 500
    data = yaml.safe_load(ALIAS_BOMB)  # PyYAML itself shares the nodes: the cost comes when the data is used
    assert len(data["i"]) == 10 and data["i"][0] is data["h"]


@pytest.mark.parametrize("name", ["collection.yml", "authorities.yml", "datasette.yml"])
def test_aliases_are_refused_in_every_curated_file(tmp_path: Path, name: str) -> None:
    from provcat.curation import load_yaml

    (tmp_path / name).write_text(ALIAS_BOMB)
    with pytest.raises(ProvcatError, match=r"malformed YAML: line \d+, column \d+: aliases \(\*name\) are not allowed"):
        load_yaml(tmp_path / name)


def test_a_datasette_alias_bomb_stops_serving_at_once(tmp_path: Path) -> None:
    from provcat.publish import publication_metadata

    (tmp_path / "datasette.yml").write_text(ALIAS_BOMB)
    with pytest.raises(ProvcatError, match="datasette.yml: malformed YAML: .*aliases"):
        publication_metadata(tmp_path / "catalogue.db", tmp_path)


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    from provcat.curation import load_yaml

    (tmp_path / "x.yml").write_text("base: &b {title: T}\ncopy:\n  <<: *b\n")
    with pytest.raises(ProvcatError, match="not allowed"):
        load_yaml(tmp_path / "x.yml")


def test_a_curated_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from provcat import curation

    (tmp_path / "authorities.yml").write_text("entities:\n" + "  - {id: a, name: A, type: person}\n" * 40)
    monkeypatch.setattr(curation, "MAX_CURATED_BYTES", 1000)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    with pytest.raises(ProvcatError, match=r"authorities.yml: is 1,410 bytes, more than the 1,000 a curated file"):
        curation.load_curation(tmp_path)


def test_deeply_nested_yaml_is_one_line(tmp_path: Path) -> None:
    from provcat.curation import load_yaml

    (tmp_path / "x.yml").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ProvcatError, match="x.yml: malformed YAML"):
        load_yaml(tmp_path / "x.yml")


def test_ordinary_yaml_still_loads_and_duplicates_are_still_refused(tmp_path: Path) -> None:
    from provcat.curation import load_yaml

    (tmp_path / "x.yml").write_text("title: A\nlist: [1, 2, {k: v}]\nnested: {a: {b: c}}\n")
    assert load_yaml(tmp_path / "x.yml") == {"title": "A", "list": [1, 2, {"k": "v"}], "nested": {"a": {"b": "c"}}}
    (tmp_path / "y.yml").write_text("title: A\ntitle: B\n")
    with pytest.raises(ProvcatError, match="duplicate key 'title'"):
        load_yaml(tmp_path / "y.yml")
