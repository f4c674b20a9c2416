"""The typed, versioned settings file."""

from __future__ import annotations

import json

import pytest

from hhir import settings as st


def test_defaults_when_no_file(tmp_path):
    loaded = st.load(tmp_path)
    assert loaded == st.Settings()
    assert loaded.threshold("asks") == pytest.approx(0.6)


def test_round_trip_through_the_env_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HHIR_CONFIG_DIR", str(tmp_path / "cfg"))
    chosen = st.Settings(profile="paper", thresholds={"asks": 0.4}, clip_size=4, clip_stride=2, annotator="ana")
    path = st.save(chosen)
    assert path == tmp_path / "cfg" / "settings.json"
    assert st.load() == chosen
    assert st.load().threshold("asks") == pytest.approx(0.4)


def test_unknown_keys_are_ignored_and_ints_become_floats(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"version": 1, "default_threshold": 1, "later_option": 3}))
    loaded = st.load(tmp_path)
    assert loaded.default_threshold == 1.0 and isinstance(loaded.default_threshold, float)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("{not json", "cannot read settings"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"clip_size": "3"}), "clip_size: Input should be a valid integer"),
        (json.dumps({"clip_size": 0}), "clip_size: Input should be greater than or equal to 1"),
        (json.dumps({"clip_size": 3, "clip_stride": 4}), "clip_stride must be between"),
        (json.dumps({"thresholds": {"asks": 1.5}}), "thresholds.asks: Input should be less than or equal to 1"),
        (json.dumps({"version": 99}), "newer than this app"),
        (json.dumps({"clip_size": True}), "clip_size: Input should be a valid integer"),
        (json.dumps({"playback_copies": 1}), "playback_copies: Input should be a valid boolean"),
        ('{"default_threshold": NaN}', "default_threshold: Input should be"),
        (json.dumps({"annotator": "x" * 5000}), "annotator: String should have at most 4096 characters"),
    ],
)
def test_bad_files_name_the_file_and_the_problem(tmp_path, content, problem):
    (tmp_path / "settings.json").write_text(content)
    with pytest.raises(st.SettingsError) as info:
        st.load(tmp_path)
    assert str(tmp_path / "settings.json") in str(info.value) and problem in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400  # one readable line


def test_save_refuses_invalid_values_and_leaves_the_old_file(tmp_path):
    st.save(st.Settings(annotator="first"), tmp_path)
    with pytest.raises(st.SettingsError):
        st.save(st.Settings(jump_seconds=-1), tmp_path)
    assert st.load(tmp_path).annotator == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
