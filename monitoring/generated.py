"""Files built from Python and committed (Grafana dashboards, Prometheus rules): written only
where they changed, and compared with what would be written for `--check`."""

from collections.abc import Mapping
from pathlib import Path


def stale(directory: Path, files: Mapping[str, str]) -> list[str]:
    """The names (paths relative to `directory`) of `files` missing there or holding other content."""
    return [name for name, content in files.items() if not _holds(directory / name, content)]


def write(directory: Path, files: Mapping[str, str]) -> list[str]:
    """Write the stale ones of `files` under `directory`; return their names."""
    changed = stale(directory, files)
    for name in changed:
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[name], encoding="utf-8")
    return changed


def _holds(path: Path, content: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == content
