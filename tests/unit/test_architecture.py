"""House rules from DESIGN.md that code review alone would let slip."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = sorted((ROOT / "core").glob("*.py"))
UI = sorted((ROOT / "pages").glob("*.py")) + sorted((ROOT / "ui").glob("*.py")) + [ROOT / "app.py"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_never_imports_streamlit(path):
    assert "streamlit" not in imported_modules(path)


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_never_import_tensorflow(path):
    assert not {"tensorflow", "keras", "tf_keras"} & imported_modules(path)


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_imports_tensorflow_lazily(path):
    """A top-level TF import would slow the first page by seconds."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import)
           for alias in node.names}
    top |= {node.module.split(".")[0] for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module}
    assert not {"tensorflow", "keras"} & top


@pytest.mark.parametrize("path", CORE + UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_tf_keras_is_used_only_in_bench():
    offenders = [p for p in CORE + UI if "tf_keras" in imported_modules(p)]
    assert offenders == []


@pytest.mark.parametrize("path", [p for p in UI if p.name != "plots.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_plotly_chart_goes_through_ui_plots(path):
    """ui.plots gives each chart its text alternative for screen readers (browser QA)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    direct = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute)
              and node.attr == "plotly_chart"]
    assert direct == []


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_sections_are_h2_under_the_page_title(path):
    """A screen reader's outline went h1 -> h3 on every page (QA19): sections are st.header,
    which .streamlit/config.toml sizes as Streamlit's subheader."""
    text = path.read_text(encoding="utf-8")
    assert ".subheader(" not in text and not re.search(r"[\"']###+ ", text)


WIDGETS = ("button", "text_input", "text_area", "number_input", "slider", "select_slider",
           "selectbox", "multiselect", "radio", "checkbox", "toggle", "file_uploader",
           "download_button", "segmented_control", "pills", "data_editor", "form_submit_button")


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_input_widget_has_an_explicit_key(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in WIDGETS
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("st", "col", "left", "right")):
            if not any(k.arg == "key" for k in node.keywords):
                missing.append(f"line {node.lineno}: st.{node.func.attr}")
    assert missing == []


def test_session_state_keys_are_constants_not_literals():
    pattern = re.compile(r"session_state\[\s*['\"]")
    offenders = [str(p.relative_to(ROOT)) for p in UI if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
