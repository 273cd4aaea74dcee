# Sourced by scripts/run and scripts/test: installs the locked Python dependencies into .venv.
# Everything comes from uv.lock, hash-checked; uv itself comes from scripts/lib/uv.txt, also
# hash-checked, into its own small environment (.tools/uv), since `uv sync` removes from .venv
# whatever the lock does not name.

UV=.tools/uv/bin/uv

install_uv() {
  local pinned
  pinned=$(grep -o '^uv==[^ ]*' scripts/lib/uv.txt)
  [[ $("$UV" --version 2>/dev/null) == "uv ${pinned#uv==}"* ]] && return 0
  [[ -x .tools/uv/bin/python ]] || python3 -m venv .tools/uv
  # (This machine's pip config names local package folders that may not exist; drop that noise.)
  .tools/uv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r scripts/lib/uv.txt \
    2> >(grep -v "^WARNING: Location" >&2)
}

# Arguments go to `uv sync`. The .venv is made with the machine's python3 (3.11), as before uv;
# uv never downloads a Python of its own here.
sync_python_dependencies() {
  install_uv
  [[ -x .venv/bin/python ]] || python3 -m venv --without-pip .venv
  UV_PYTHON_DOWNLOADS=never "$UV" sync --locked --quiet "$@"
}
