"""Where the reference material shared by every session lives: ../shared beside the checkout,
or /work/shared on this machine when the checkout is elsewhere (CI clones to other paths)."""

from pathlib import Path

_CANDIDATES = (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
SHARED = next((path for path in _CANDIDATES if path.is_dir()), _CANDIDATES[-1])
SCHEMAS = SHARED / "schemas"
