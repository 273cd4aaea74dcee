"""The shipped nginx (deploy/nginx/nginx.conf) run by the real nginx binary on this machine.

The config is the shipped one with only what a host changes substituted: its ports, the
upstream (a local gunicorn instead of the compose service `api`), the certificate's paths
and the folder for its pid and temp files (so runs in parallel never share one). Each
substitution must match the shipped text exactly once: a config that changed shape fails
here rather than being tested half-substituted.
"""

import datetime
import ipaddress
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from deploy.local.stack import Service

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_CONFIG = ROOT / "deploy" / "nginx" / "nginx.conf"
# Where docker-compose.yml mounts deploy/tls/.
SHIPPED_CERTIFICATE = "/etc/nginx/tls/fullchain.pem"
SHIPPED_KEY = "/etc/nginx/tls/privkey.pem"


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed (Debian package nginx)"
    return nginx


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost: its own trust anchor."""

    chain: Path
    key: Path


def self_signed_certificate(directory: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    chain = directory / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private = directory / "privkey.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private.chmod(0o600)
    return Certificate(chain=chain, key=private)


def _substitute(text: str, substitutions: dict[str, str]) -> str:
    for shipped, local in substitutions.items():
        assert text.count(shipped) == 1, f"{shipped!r} is no longer once in {SHIPPED_CONFIG}"
        text = text.replace(shipped, local)
    return text


def certificate_config(directory: Path, certificate: Certificate) -> Path:
    """The shipped config reading the certificate from `certificate` (for `nginx -t`)."""
    text = _substitute(
        SHIPPED_CONFIG.read_text(),
        {SHIPPED_CERTIFICATE: str(certificate.chain), SHIPPED_KEY: str(certificate.key)},
    )
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def local_config(
    directory: Path, certificate: Certificate, *, http_port: int, https_port: int, upstream: str
) -> Path:
    """The shipped config on these ports, in front of `upstream` (host:port)."""
    runtime = directory / "run"
    runtime.mkdir(parents=True, exist_ok=True)
    text = certificate_config(directory, certificate).read_text()
    text = _substitute(
        text,
        {
            "listen 8080;": f"listen 127.0.0.1:{http_port};",
            "listen 8443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
            "set $api http://api:8000;": f"set $api http://{upstream};",
            "pid /tmp/nginx.pid;": f"pid {runtime}/nginx.pid;",
        },
    )
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        text = _substitute(text, {f" /tmp/{temp};": f" {runtime}/{temp};"})
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def nginx_service(directory: Path, config: Path, *, http_port: int) -> Service:
    """nginx in the foreground (its own session, so the test can end it and its workers);
    ready once its own /health answers on the plain-HTTP port."""
    return Service(
        name="nginx",
        command=[
            nginx_binary(),
            "-p",
            str(directory),
            "-e",
            "stderr",
            "-c",
            str(config),
            "-g",
            "daemon off;",
        ],
        env={"PATH": "/usr/sbin:/usr/bin:/bin"},
        port=http_port,
        log=directory / "nginx.log",
        ready_path="/health",
    )
