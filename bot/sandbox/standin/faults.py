"""Discord's bad days, on demand: REST answers a test injects before the real handler runs
(issue 15). A fault names a route as `standin.route_counts` does (`CALLBACK` below), answers
`status` to the next `times` requests to it, and the request is NOT applied — as when Discord's edge refuses it before the API sees it —
so whatever the client retries lands once. Off unless a test adds one.

- 429: JSON `retry_after` and `global`, the `Via` header discord.py requires to retry it, and
  `X-RateLimit-Global` when global;
- 500/502/503/504: Cloudflare's HTML body, the shape a real gateway error has.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from .rest_util import json_response

CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"  # a follow-up message (after a deferral)


@dataclass
class Fault:
    route: str
    status: int
    times: int = 1
    retry_after: float = 0.2
    is_global: bool = False
    injected: int = 0

    def response(self) -> web.Response:
        if self.status == 429:
            headers = {"Via": "1.1 google", "Retry-After": str(max(1, round(self.retry_after)))}
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            scope = "global" if self.is_global else "user"
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
                "code": 0,
            }
            return json_response(body, 429, headers | {"X-RateLimit-Scope": scope})
        html = f"<html><head><title>{self.status}</title></head><body>error code: {self.status}</body></html>"
        return web.Response(status=self.status, text=html, content_type="text/html")


@dataclass
class Faults:
    rules: list[Fault] = field(default_factory=list)
    log: list[tuple[str, int]] = field(default_factory=list)  # (route, status) injected

    def add(self, route: str, status: int, **options: float | int | bool) -> Fault:
        fault = Fault(route, status, **options)  # type: ignore[arg-type]
        self.rules.append(fault)
        return fault

    def take(self, route: str) -> Fault | None:
        """The fault that answers this request instead of its handler, if any (and count it)."""
        for fault in self.rules:
            if fault.route == route and fault.injected < fault.times:
                fault.injected += 1
                self.log.append((route, fault.status))
                return fault
        return None

    def clear(self) -> None:
        self.rules.clear()
