"""infra/ferretdb.sh patches FerretDB's `_id` expression so SQLite uses its index, and
turns off its per-command leak tracking."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STOCK = """const (
	// IDColumn is a SQLite path expression for _id field.
	IDColumn = DefaultColumn + "->'$._id'"
)
"""

RESOURCE = """func Track(obj any, token *Token) {
	checkArgs(obj, token)
	p.Add(token, 1)
}

func Untrack(obj any, token *Token) {
	checkArgs(obj, token)
	p.Remove(token)
}
"""


def patch(src: Path) -> subprocess.CompletedProcess[str]:
    script = (
        'die() { echo "$*" >&2; exit 1; }; CACHE=/nonexistent STATE=/nonexistent; '
        f'source "{ROOT}/infra/ferretdb.sh"; ferretdb_patch "$1"'
    )
    return subprocess.run(
        ["bash", "-c", script, "patch", str(src)], capture_output=True, text=True, check=False
    )


def metadata_go(src: Path, text: str, resource: str = RESOURCE) -> Path:
    file = src / "internal/backends/sqlite/metadata/metadata.go"
    file.parent.mkdir(parents=True)
    file.write_text(text)
    tracking = src / "internal/util/resource/resource.go"
    tracking.parent.mkdir(parents=True)
    tracking.write_text(resource)
    return file


def test_the_id_expression_becomes_the_index_expression(tmp_path: Path) -> None:
    file = metadata_go(tmp_path, STOCK)
    done = patch(tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'IDColumn = DefaultColumn + `->"_id"`' in file.read_text()
    assert "'$._id'" not in file.read_text()


def test_a_source_without_the_expected_line_refuses_to_build(tmp_path: Path) -> None:
    metadata_go(tmp_path, STOCK.replace("'$._id'", "'$.id'"))
    done = patch(tmp_path)
    assert done.returncode != 0
    assert "does not have the IDColumn line" in done.stderr


def test_leak_tracking_returns_at_once(tmp_path: Path) -> None:
    metadata_go(tmp_path, STOCK)
    done = patch(tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "internal/util/resource/resource.go").read_text()
    for func in ("Track", "Untrack"):
        body = text.split(f"func {func}(obj any, token *Token) {{\n", 1)[1]
        assert body.startswith("\tif true {\n\t\treturn"), body


def test_a_source_without_the_tracking_functions_refuses_to_build(tmp_path: Path) -> None:
    metadata_go(tmp_path, STOCK, RESOURCE.replace("func Untrack", "func untrack"))
    done = patch(tmp_path)
    assert done.returncode != 0
    assert "does not have the Track/Untrack lines" in done.stderr
