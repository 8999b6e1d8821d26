"""The command line, through typer's CliRunner: exit codes, messages, files written or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from typer.testing import CliRunner

from plakat.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_render_writes_pdf_and_png_and_says_so(one_portrait_poster, tmp_path):
    out = tmp_path / "out"
    result = run("render", one_portrait_poster, "--out", out, "--png-dpi", 8)
    assert result.exit_code == 0, result.output
    assert (out / "one-portrait.pdf").stat().st_size > 1_000_000  # the portrait at its full resolution
    assert (out / "one-portrait.png").exists()
    assert "3560 x 2520 mm" in result.stdout
    assert "1121 x 794 px" in result.stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_bad_layout_exits_2_names_file_line_and_field_and_writes_nothing(small_poster, tmp_path):
    text = small_poster.read_text(encoding="utf-8").replace("gutter:", "gutt:")
    small_poster.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", small_poster, "--out", out)
    assert result.exit_code == 2
    assert f"{small_poster}:" in result.stderr
    assert "grid.gutt: unknown key: did you mean 'gutter'?" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_portrait_exits_2_and_names_it(small_poster, tmp_path):
    text = small_poster.read_text(encoding="utf-8").replace("jupp.jpg", "jup.jpg")
    small_poster.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", small_poster, "--out", out)
    assert result.exit_code == 2
    assert "people[5].portrait: no such file:" in result.stderr and "jup.jpg" in result.stderr
    assert not out.exists()


def test_failed_render_keeps_the_previous_good_output(one_portrait_poster, tmp_path):
    out = tmp_path / "out"
    assert run("render", one_portrait_poster, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    one_portrait_poster.write_text(one_portrait_poster.read_text(encoding="utf-8").replace("rows: 2", "rows: 1"),
                                   encoding="utf-8")  # Brigitte's cell lies in row 2
    result = run("render", one_portrait_poster, "--out", out)
    assert result.exit_code == 2 and "leaves the 6x1 grid" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_write_failure_halfway_leaves_nothing_behind(one_portrait_poster, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("render", one_portrait_poster, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import plakat.pipeline

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(plakat.pipeline, "write_png", disk_full)
    result = run("render", one_portrait_poster, "--out", out)
    assert result.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_output_folder_that_is_a_file(one_portrait_poster, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("render", one_portrait_poster, "--out", blocker)
    assert result.exit_code == 2
    assert "cannot write into" in result.stderr


def test_preflight_error_blocks_writing_unless_forced(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["bleed"] = "2mm"  # 18/1 asks for 10 mm
    layout = write_layout(data)
    out = tmp_path / "out"
    result = run("render", layout, "--out", out, "--png-dpi", 5)
    assert result.exit_code == 1
    assert "bleed-too-small" in result.stderr and not out.exists()
    forced = run("render", layout, "--out", out, "--png-dpi", 5, "--force")
    assert forced.exit_code == 0 and (out / "poster.pdf").exists()


def test_formats_lists_presets():
    result = run("formats")
    assert result.exit_code == 0
    for name in ("18/1", "mega-light-18/1", "24/1", "8/1", "clp-4/1", "a0", "a4", "uk-48-sheet", "us-bulletin"):
        assert name in result.stdout
    assert "3560 x 2520" in result.stdout


def test_schema_is_json():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "plakat layout"
    font_entry = schema["properties"]["fonts"]["additionalProperties"]["anyOf"]
    assert font_entry[0] == {"type": "string"} and font_entry[1]["$ref"].endswith("FontSource")
    pdf = schema["$defs"]["Output"]["properties"]["pdf"]["anyOf"]
    assert {"type": "boolean"} in pdf and {"$ref": "#/$defs/PdfSettings"} in pdf
    settings = schema["$defs"]["PdfSettings"]["properties"]
    assert settings["standard"]["enum"] == ["pdf/x-4", "screen"] and {"marks", "scale", "max_ink", "profile"} <= set(settings)


def test_unknown_option_is_a_usage_error(small_poster):
    assert run("render", small_poster, "--png-dpi", "lots").exit_code == 2


def test_installed_command_runs_without_traceback(tmp_path):
    """The console script, as a user runs it, on a layout that does not exist."""
    result = subprocess.run([sys.executable, "-m", "plakat", "render", str(tmp_path / "none.yaml")],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 2
    assert "none.yaml: no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_page_beyond_the_pdf_limit_is_written_with_a_user_unit(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["format"] = "us-bulletin"
    data["bleed"] = "12.7mm"
    data["output"] = {"png": False}
    out = tmp_path / "out"
    result = run("render", write_layout(data), "--out", out, "--force")
    assert result.exit_code in (0, 1), result.stderr
    assert "/UserUnit 3" in result.stdout


def test_proof_draws_the_page_with_bleed_and_a_legend(one_portrait_data, write_layout, tmp_path):
    data = one_portrait_data
    data["preflight"]["sheets"] = {"columns": 3, "rows": 2}  # splits now cross text: findings to mark
    out = tmp_path / "out"
    result = run("proof", write_layout(data), "--out", out, "--width", 1200)
    assert result.exit_code == 0, result.output
    assert "warnings" in result.stdout
    import numpy as np
    from PIL import Image
    with Image.open(out / "poster.proof.png") as proof:
        page_height = round(1200 * 2540 / 3580)
        assert proof.width == 1200 and proof.height > page_height + 100  # legend below the page
        pixels = np.asarray(proof.convert("RGB"))
    seam_x = round((10 + 3560 / 3) * 1200 / 3580)
    column = pixels[: page_height, seam_x - 3: seam_x + 4]
    assert ((column[..., 0] > 180) & (column[..., 1] < 60) & (column[..., 2] > 140)).any()  # magenta split line
    assert sorted(p.name for p in out.iterdir()) == ["poster.proof.png"]
