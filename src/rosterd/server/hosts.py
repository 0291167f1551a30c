"""Which Host headers rosterd answers (`ROSTERD_ALLOWED_HOSTS`), so that links are never built
from a host a client made up.

Without `ROSTERD_PUBLIC_BASE_URL`, links and `Location` headers are built from each request's
Host header; a request with `Host: evil.example` would get links to evil.example (and a cache in
front could hand them to others). With allowed hosts set, every operation of every dialect
refuses any other Host with a 400 in the dialect's envelope, raised as an HTTPException so that
each dialect renders it, as `request_limits` does.

Each entry is a host name or IP address, optionally with a port, case-insensitive:
`rosterd.example.com` allows that name on any port, `rosterd.example.com:8443` only on 8443,
`*.example.com` any name below example.com (not example.com itself), `[::1]:8000` an IPv6
address. A bare `*` is refused: leave the setting unset to accept every Host.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Scope

from rosterd.server.settings import Settings

log = logging.getLogger("rosterd.server")

# host[:port], where host is a name (letters, digits, '.', '-', '_') or a bracketed IPv6 address;
# anything else (userinfo, a path, spaces) cannot be a Host, whatever the allowed names.
_HOST: Final = re.compile(r"(?P<name>[a-z0-9._-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
_ENTRY: Final = re.compile(r"(?P<wildcard>\*\.)?" + _HOST.pattern)
NOT_ALLOWED: Final = "The request's Host header is not one of this server's host names."


class HostNotAllowed(HTTPException):
    def __init__(self) -> None:
        super().__init__(400, NOT_ALLOWED)


@dataclass(frozen=True, slots=True)
class _Allowed:
    name: str  # for a wildcard, the suffix: ".example.com"
    port: str | None
    wildcard: bool

    def admits(self, name: str, port: str | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        return name.endswith(self.name) if self.wildcard else name == self.name


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    entries: tuple[_Allowed, ...]

    @classmethod
    def parse(cls, setting: str) -> AllowedHosts:
        entries = tuple(_entry(raw.strip()) for raw in setting.split(",") if raw.strip())
        if not entries:
            raise ValueError("ROSTERD_ALLOWED_HOSTS names no host; unset it to accept any Host")
        return cls(entries)

    def admits(self, host_header: str | None) -> bool:
        found = _HOST.fullmatch((host_header or "").strip().lower())
        if found is None:
            return False
        name = found["name"].rstrip(".")  # `example.com.` is `example.com`
        return any(entry.admits(name, found["port"]) for entry in self.entries)


def _entry(raw: str) -> _Allowed:
    found = _ENTRY.fullmatch(raw.lower())
    name = found["name"].rstrip(".") if found else ""
    wildcard = bool(found and found["wildcard"])
    if found is None or not name or (wildcard and name.startswith("[")):
        raise ValueError(
            f"ROSTERD_ALLOWED_HOSTS: {raw!r} is not a host name, host:port or *.domain "
            "(no scheme, no path)"
        )
    return _Allowed("." + name if wildcard else name, found["port"], wildcard)


def allowed_host(settings: Settings) -> Callable[[Request], None]:
    """A request check for a dialect's app: refuses a Host not in `settings.allowed_hosts`."""
    allowed = AllowedHosts.parse(settings.allowed_hosts) if settings.allowed_hosts else None

    def require_allowed_host(request: Request) -> None:
        if allowed is not None and not allowed.admits(request.headers.get("host")):
            raise HostNotAllowed()

    return require_allowed_host


def warn_if_any_host_is_linked(settings: Settings, bind_host: str) -> None:
    """One warning when `rosterd serve` listens beyond this machine and would build links from
    whatever Host a client sends."""
    if settings.allowed_hosts or settings.public_base_url or is_loopback(bind_host):
        return
    log.warning(
        "listening on %s with neither ROSTERD_ALLOWED_HOSTS nor ROSTERD_PUBLIC_BASE_URL set: "
        "links and Location headers name whatever host a client sends; set one of them",
        bind_host,
    )


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: reachable from wherever it resolves


def base_url_of(request: Request, settings: Settings) -> str:
    """scheme://host of rosterd as clients see it, for links and `Location` headers: the
    public base URL when one is set, else the (allowed) host the request named."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    scope = request.scope
    server = scope.get("server")
    return _origin(scope["scheme"], _host_header(scope), tuple(server) if server else None)


def _host_header(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"host":
            return bytes(value)
    return None


@lru_cache(maxsize=256)  # bounded: the Host header is the client's to choose
def _origin(scheme: str, host: bytes | None, server: tuple[str, int] | None) -> str:
    """scheme://netloc exactly as Starlette's `request.url` gives them for such a request,
    without parsing the whole URL on every request (a request's own costliest part of a link)."""
    headers = [(b"host", host)] if host is not None else []
    url = URL(scope={"scheme": scheme, "server": server, "path": "/", "headers": headers})
    return f"{url.scheme}://{url.netloc}"
