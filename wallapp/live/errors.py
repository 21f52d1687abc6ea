"""Third-party network errors told in words a person can act on (never with a URL: it may hold secrets)."""

from __future__ import annotations

import errno

import httpx

_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "name resolution",
)


def _root_cause(exc: BaseException) -> BaseException:
    """The first OSError under the wrappers (an "all connection attempts failed" hides the real one)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, BaseExceptionGroup) and current.exceptions:
            current = current.exceptions[0]
            continue
        if isinstance(current, OSError) and current.errno is not None:
            return current
        current = current.__cause__ or current.__context__
    return exc


def describe_os_error(exc: BaseException) -> str:
    """An OSError (or what wraps one) as a short cause."""
    exc = _root_cause(exc)
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if any(hint in lowered for hint in _DNS_HINTS):
        return f"cannot resolve the host name ({text})"
    code = exc.errno if isinstance(exc, OSError) else None
    if code == errno.ECONNREFUSED or "refused" in lowered:
        return "connection refused"
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH) or "unreachable" in lowered:
        return f"host unreachable ({text})"
    if code == errno.ECONNRESET or "reset" in lowered:
        return "connection reset by the server"
    return f"cannot connect ({text})"


def describe_http_error(exc: httpx.HTTPError, timeout: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"cannot connect within {timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no response within {timeout:g} s"
    if isinstance(exc, httpx.ConnectError):
        return describe_os_error(exc.__cause__ or exc)
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the connection ({exc})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.DecodingError):
        return f"the response cannot be decoded ({exc})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
