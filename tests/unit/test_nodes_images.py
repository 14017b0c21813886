"""The built-in images nodes (resources/nodes/images.json): PNG and JPEG to and from arrays
with Pillow, the optional extra ``pyflow-desktop[images]``. Without Pillow they fail saying
what to install; that is checked in a process where Pillow cannot be imported."""

from __future__ import annotations

import json

import numpy as np
import pytest
from builtin_nodes import chain, failure, output, run_chain, run_without

HINT = (
    "ModuleNotFoundError: this node needs Pillow, which is not installed: "
    "pip install 'pyflow-desktop[images]' (or pip install pillow)"
)


def test_without_pillow_the_image_nodes_say_what_to_install(here):
    repo = chain(("w", "images.write", {}), ("r", "images.read", {"path": "output.png"}))
    done = run_without("PIL", repo, here / "images.json")
    assert done.returncode == 1, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    for node in ("w", "r"):
        assert (rows[node]["status"], rows[node]["error"]) == ("fail", HINT)
    assert not (here / "output.png").exists()


def test_png_round_trip_of_rgb_grey_and_rgba(here):
    pytest.importorskip("PIL")
    rgb = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3) * 4
    path = output("images.write", image=rgb, path="pics/rgb.png")
    assert path == str(here / "pics" / "rgb.png")
    back = output("images.read", path="pics/rgb.png")
    assert back.dtype == np.uint8 and np.array_equal(back, rgb)
    grey = output("images.read", path="pics/rgb.png", mode="L")
    assert grey.shape == (4, 5)
    output("images.write", image=np.full((2, 3, 4), 200, dtype=np.uint8), path="rgba.png")
    assert output("images.read", path="rgba.png", mode="").shape == (2, 3, 4)


def test_fractions_are_scaled_and_other_numbers_clipped(here):
    pytest.importorskip("PIL")
    output("images.write", image="[[0, 0.5], [0.25, 1]]", path="f.png")
    assert output("images.read", path="f.png", mode="").tolist() == [[0, 128], [64, 255]]
    output("images.write", image="[[-20, 100], [300, 255]]", path="c.png")
    assert output("images.read", path="c.png", mode="").tolist() == [[0, 100], [255, 255]]
    assert failure("images.write", image="[1, 2, 3]").startswith(
        "ValueError: an image is rows x columns (x 3 or 4), not of shape (3,)"
    )


def test_jpeg_round_trip_is_close_and_quality_counts(here):
    pytest.importorskip("PIL")
    ys, xs = np.mgrid[0:64, 0:64]
    smooth = np.stack([xs * 4, ys * 4, (xs + ys) * 2], axis=-1).astype(np.uint8)
    output("images.write", image=smooth, path="high.jpg", quality="95")
    output("images.write", image=smooth, path="low.jpeg", quality="5")
    high = output("images.read", path="high.jpg")
    assert high.shape == (64, 64, 3)
    assert np.abs(high.astype(int) - smooth).mean() < 3
    assert (here / "low.jpeg").stat().st_size < (here / "high.jpg").stat().st_size


def test_an_image_flows_from_file_through_array_nodes_to_a_file(here):
    pytest.importorskip("PIL")
    output("images.write", image=np.full((3, 3), 100, dtype=np.uint8), path="in.png")
    result = run_chain(  # worker processes run where they started: absolute paths
        ("read", "images.read", {"path": str(here / "in.png"), "mode": "L"}),
        ("double", "arrays.math", {"op": "multiply", "b": "2"}),
        ("write", "images.write", {"path": str(here / "out.png")}),
        links=(("read:out", "double:a"), ("double:out", "write:image")),
        executor="process",
    )
    assert result.ok, result.nodes
    assert output("images.read", path="out.png", mode="").tolist() == [[200] * 3] * 3


def test_a_missing_image_file_is_named(here):
    pytest.importorskip("PIL")
    assert failure("images.read", path="none.png") == (
        f"FileNotFoundError: no such file: {here / 'none.png'}"
    )
