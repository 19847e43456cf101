"""Curated metadata: the archivist's YAML files, validated before anything is built.

Layout of the metadata folder (every file optional)::

    collection.yml         the collection description (models.Collection)
    authorities.yml        authority records for people, organisations and places (models.AuthorityFile)
    curation.yml           decisions about entities across the collection: merge, split, rename,
                           retype, reject, confirm (models.CurationFile; authority_control.py)
    documents/<id>.yml     one sidecar per document (models.Sidecar)
    datasette.yml          additions to how the catalogue is published (Datasette metadata, merged
                           over publication.yml, the site every catalogue gets)

Any problem is reported as one line naming the file, the field and the problem.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .authority_control import CURATION_FILE, Control
from .errors import ProvcatError
from .models import Authority, AuthorityFile, Collection, CurationFile, Sidecar

M = TypeVar("M", bound=BaseModel)

SIDECAR_FOLDER = "documents"


#: The most bytes a curated file may have; a larger one is refused with its size before it is read.
#: An authority file of 4 MiB holds about 35,000 records: loading it takes about 5 s, and the entity
#: ruler made from it about 6 s more and 600 MB (docs/performance.md).
MAX_CURATED_BYTES = 4 * 1024 * 1024
AUTHORITIES_FILE = "authorities.yml"

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when it is there: ~10 x faster


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    """A safe loader (no object construction) that refuses a mapping with the same key twice
    (PyYAML keeps the last one), and aliases (``*name``): an alias makes one node count many times
    over, so a few hundred bytes can stand for gigabytes once the data is used (a "billion laughs")."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(None, None, "aliases (*name) are not allowed in curated files",
                                                    node.start_mark)
        return super().construct_object(node, deep=deep)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, f"expected a mapping, found {node.id}", node.start_mark)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(None, None, "merge keys (<<) are not allowed in curated files",
                                                    key_node.start_mark)
        key = loader.construct_object(key_node, deep=deep)
        try:
            seen = key in mapping
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value",
                                                    key_node.start_mark) from None
        if seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file of at most ``MAX_CURATED_BYTES``, turning every failure into a one-line
    ProvcatError."""
    limit = MAX_CURATED_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise ProvcatError(path, f"is {size:,} bytes, more than the {limit:,} a curated file may have")
        raw = path.read_bytes()
    except OSError as exc:
        raise ProvcatError(path, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProvcatError(path, f"is not UTF-8 (byte {exc.start})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProvcatError(path, f"malformed YAML: {where}{problem}") from exc
    except RecursionError as exc:
        raise ProvcatError(path, "malformed YAML: nested too deeply") from exc


def validate(model: type[M], data: Any, path: Path) -> M:
    """Validate parsed YAML against a model; the first error names its field."""
    if data is None:
        data = {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        extra = f" ({len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        raise ProvcatError(path, f"field '{where}': {message}{extra}") from exc


def fold(value: str) -> str:
    """A name or label as curated values are compared: case and spacing ignored, apostrophes unified."""
    return " ".join(value.replace("\u2019", "'").casefold().split())


@dataclass
class Curation:
    """All curated metadata of a collection, validated."""

    folder: Path
    collection: Collection | None = None
    authorities: list[Authority] = field(default_factory=list)
    sidecars: dict[str, Sidecar] = field(default_factory=dict)  # by document path
    sidecar_files: dict[str, Path] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # file name -> sha256 of its bytes
    control: Control = field(default_factory=Control)  # curation.yml

    @cached_property
    def authorities_by_id(self) -> dict[str, Authority]:
        return {a.id: a for a in self.authorities}

    def authority(self, authority_id: str) -> Authority | None:
        return self.authorities_by_id.get(authority_id)

    @cached_property
    def authority_ids_by_name(self) -> dict[str, str]:
        """Authority ids by folded canonical name (:func:`fold`)."""
        return {fold(a.name): a.id for a in self.authorities}

    def inputs_digest(self, document_path: str) -> str:
        """Digest of the curated inputs that affect one document (its sidecar and the authorities)."""
        parts = {"authorities.yml": self.digests.get("authorities.yml", "")}
        sidecar = self.sidecar_files.get(document_path)
        if sidecar is not None:
            parts["sidecar"] = self.digests.get(str(sidecar), "")
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def metadata_digest(self) -> str:
        return hashlib.sha256(json.dumps(self.digests, sort_keys=True).encode()).hexdigest()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_curation(folder: Path) -> Curation:
    """Load and validate the metadata folder. A missing folder means no curated metadata."""
    curation = Curation(folder=folder)
    if not folder.exists():
        return curation
    if not folder.is_dir():
        raise ProvcatError(folder, "is not a folder")
    collection_file = folder / "collection.yml"
    if collection_file.is_file():
        curation.collection = validate(Collection, load_yaml(collection_file), collection_file)
        curation.digests["collection.yml"] = _digest(collection_file)
    authorities_file = folder / AUTHORITIES_FILE
    if authorities_file.is_file():
        records = validate(AuthorityFile, load_yaml(authorities_file), authorities_file)
        curation.authorities = records.entities
        curation.digests["authorities.yml"] = _digest(authorities_file)
    control_file = folder / CURATION_FILE
    if control_file.is_file():
        actions = validate(CurationFile, load_yaml(control_file), control_file).actions
        curation.control = Control(actions, source=control_file)
        curation.digests[CURATION_FILE] = _digest(control_file)
    sidecar_folder = folder / SIDECAR_FOLDER
    if sidecar_folder.is_dir():
        for path in sorted(sidecar_folder.rglob("*")):
            if path.suffix.lower() not in (".yml", ".yaml") or any(p.startswith(".") for p in path.parts):
                continue
            sidecar = validate(Sidecar, load_yaml(path), path)
            if sidecar.document in curation.sidecars:
                other = curation.sidecar_files[sidecar.document]
                raise ProvcatError(path, f"describes '{sidecar.document}', already described by {other}")
            for speaker in sidecar.speakers:
                if speaker.entity and curation.authority(speaker.entity) is None:
                    raise ProvcatError(path, f"speaker '{speaker.name}' names unknown authority id "
                                             f"'{speaker.entity}'")
            for entity in sidecar.entities:
                if curation.authority(entity.entity) is None:
                    raise ProvcatError(path, f"entity '{entity.entity}' is not an authority id")
            curation.sidecars[sidecar.document] = sidecar
            curation.sidecar_files[sidecar.document] = path
            curation.digests[str(path)] = _digest(path)
    return curation


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every curated file, keyed by file name."""
    return {
        "collection.yml": Collection.model_json_schema(),
        "authorities.yml": AuthorityFile.model_json_schema(),
        CURATION_FILE: CurationFile.model_json_schema(),
        f"{SIDECAR_FOLDER}/<document id>.yml": Sidecar.model_json_schema(),
    }
