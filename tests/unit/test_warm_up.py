"""The new tab's warm-up script: Streamlit's chunks found, and a script only when they are."""

from ui import warm_up


def test_this_streamlits_chart_and_table_chunks_are_found():
    """A Streamlit upgrade that renames them would silently warm nothing: fail here instead."""
    names = warm_up.chunk_names()
    assert [name.split(".")[0] for name in names] == list(warm_up.CHUNK_STEMS)
    assert all((warm_up.STATIC_JS / name).stat().st_size > 100_000 for name in names)
    assert all(name in warm_up.WARM_UP_JS for name in names)


def test_without_chunks_there_is_no_script(tmp_path):
    (tmp_path / "PlotlyChart.abc123.js").write_text("")
    (tmp_path / "Other.abc123.js").write_text("")
    assert warm_up.chunk_names(tmp_path) == ["PlotlyChart.abc123.js"]
    assert warm_up.warm_up_js([]) == ""
    script = warm_up.warm_up_js(["PlotlyChart.abc123.js"])
    assert '["PlotlyChart.abc123.js"]' in script and "window.studioWarmsCharts" in script
