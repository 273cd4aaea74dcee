# Sourced by scripts/test: the Debian packages whose programs the full suite runs, as
# "program:package". Installed only when the program is missing, and never started: the tests
# run what they need themselves.
DEBIAN_PROGRAMS=(
  promtool:prometheus                 # promtool check config / check rules / test rules
  amtool:prometheus-alertmanager      # amtool check-config; prometheus-alertmanager for the proof test
  prometheus-alertmanager:prometheus-alertmanager
  chromium:chromium                   # the status board's browser test (Playwright)
  nginx:nginx                         # nginx -t on deploy/nginx/nginx.conf
  redis-server:redis-server           # tests that stop a Redis start their own
  prometheus:prometheus               # the Prometheus proof test's server (deploy/local, the native stack)
  prometheus-node-exporter:prometheus-node-exporter          # the native stack's exporters
  prometheus-postgres-exporter:prometheus-postgres-exporter
  prometheus-redis-exporter:prometheus-redis-exporter
)

# Installs the missing packages when running as root. Otherwise prints the one apt-get command
# that would, and returns 1.
install_debian_programs() {
  local entry program missing=()
  for entry in "${DEBIAN_PROGRAMS[@]}"; do
    program=${entry%%:*}
    # nginx lies in /usr/sbin, off most users' PATH (the tests look there too).
    command -v "$program" >/dev/null 2>&1 || [[ -x /usr/sbin/$program ]] || missing+=("${entry#*:}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if [[ $(id -u) -ne 0 ]]; then
    echo "The suite runs programs from Debian packages that are missing; install them with:" \
      "sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  # policy-rc.d exit 101 = "not allowed": the packages' scripts must not start their daemons.
  local policy=/usr/sbin/policy-rc.d ours=""
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && ours=1
  fi
  echo "Installing Debian packages: ${missing[*]}" >&2
  local status=0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    status=$?
  [[ -z $ours ]] || rm -f "$policy"
  return "$status"
}
