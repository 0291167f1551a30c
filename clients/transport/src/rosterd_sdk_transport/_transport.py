"""One pooled httpx client per API client: timeouts, TLS, bearer auth, and the retry loop."""

from __future__ import annotations

import ssl
from collections.abc import Mapping, Sequence
from types import TracebackType
from urllib.parse import quote

import httpx

from rosterd_sdk_transport._response import Response
from rosterd_sdk_transport._retry import Attempt, RetryPolicy

# Seconds, or (connect, read) as the generated SDKs' `_request_timeout` takes it, or an
# httpx.Timeout. None means "no limit" when building a transport.
TimeoutSpec = float | tuple[float, float] | httpx.Timeout | None
DEFAULT_TIMEOUT = 60.0


class TransportError(Exception):
    """The request got no HTTP response: refused connection, timeout, TLS or protocol failure."""

    def __init__(self, method: str, url: str, cause: httpx.TransportError) -> None:
        super().__init__(f"{method} {url} failed: {type(cause).__name__}: {cause}")
        self.method = method
        self.url = url
        self.cause = cause


def to_httpx_timeout(value: TimeoutSpec) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, tuple):
        connect, read = value
        return httpx.Timeout(read, connect=connect)
    return httpx.Timeout(value)


def ssl_context(
    *,
    verify: bool = True,
    ca_cert_file: str | None = None,
    ca_cert_data: str | bytes | None = None,
    cert_file: str | None = None,
    key_file: str | None = None,
) -> ssl.SSLContext | bool:
    """TLS settings as the generated SDKs' Configuration names them, as httpx wants them."""
    if ca_cert_file is None and ca_cert_data is None and cert_file is None:
        return verify  # httpx's own default context, or no verification
    context = ssl.create_default_context(cafile=ca_cert_file, cadata=ca_cert_data)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert_file is not None:
        context.load_cert_chain(cert_file, key_file)
    return context


def encode_query(params: Sequence[tuple[str, str]]) -> str:
    """`k=v&…` with each value `urllib.parse.quote`d (`/` kept), as openapi-generator does."""
    return "&".join(f"{key}={quote(value)}" for key, value in params)


def quote_path(value: str) -> str:
    """A path parameter with every reserved character escaped (`/` becomes `%2F`)."""
    return quote(value, safe="")


class Transport:
    """Sends requests over one connection pool; close it (or use `with`) when done."""

    def __init__(
        self,
        *,
        timeout: TimeoutSpec = DEFAULT_TIMEOUT,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
        max_connections: int = 20,
        retry: RetryPolicy | None = None,
        follow_redirects: bool = True,
        httpx_transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry = retry
        self._client = httpx.Client(
            timeout=to_httpx_timeout(timeout),
            verify=verify,
            proxy=proxy,
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=follow_redirects,
            transport=httpx_transport,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        bearer_token: str | None = None,
        content: bytes | None = None,
        timeout: TimeoutSpec | None = None,
    ) -> Response:
        """Send one request, retrying as the policy says; the last response is returned.

        Any HTTP status is a response (the SDKs map error statuses to exceptions); only a
        request that got no response at all raises `TransportError`.
        """
        sent_headers = dict(headers or {})
        if bearer_token is not None:
            sent_headers["Authorization"] = f"Bearer {bearer_token}"
        per_request = httpx.USE_CLIENT_DEFAULT if timeout is None else to_httpx_timeout(timeout)
        history: tuple[Attempt, ...] = ()
        while True:
            try:
                raw = self._client.request(
                    method, url, headers=sent_headers, content=content, timeout=per_request
                )
            except httpx.TransportError as exc:
                attempt = Attempt(method, url, None, exc, history)
                delay = self.retry.next_delay(attempt) if self.retry else None
                if delay is None:
                    raise TransportError(method, url, exc) from exc
            else:
                response = Response(
                    method=method,
                    url=str(raw.url),
                    status=raw.status_code,
                    reason=raw.reason_phrase,
                    headers=raw.headers,
                    body=raw.content,
                )
                attempt = Attempt(method, url, response, None, history)
                delay = self.retry.next_delay(attempt) if self.retry else None
                if delay is None:
                    return response
            assert self.retry is not None  # a delay only comes from a policy
            self.retry.sleep(delay)
            history = (*history, attempt)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
