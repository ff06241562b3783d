"""The Animate player's files: gathered once, served from one folder, rebuilt if removed."""

from __future__ import annotations

import shutil

from dashboard import animation_component as ac


def test_player_dir_holds_the_player_and_plotly(tmp_path):
    folder = ac.player_dir(tmp_path)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([*ac.PLAYER_FILES, "plotly.min.js"])
    assert (folder / "plotly.min.js").stat().st_size == ac.plotly_js_path().stat().st_size
    for name in ac.PLAYER_FILES:
        assert (folder / name).read_bytes() == (ac.SOURCE_DIR / name).read_bytes()


def test_player_dir_is_reused_and_leaves_no_staging_folders(tmp_path):
    first = ac.player_dir(tmp_path)
    assert ac.player_dir(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_player_dir_is_rebuilt_after_a_temp_cleaner_removed_it(tmp_path):
    folder = ac.player_dir(tmp_path)
    shutil.rmtree(folder)
    again = ac.player_dir(tmp_path)
    assert again == folder
    assert (again / "player.js").exists() and (again / "plotly.min.js").exists()
