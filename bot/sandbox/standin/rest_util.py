"""HTTP plumbing shared by the REST handlers: exact JSON responses, bodies, auth, rate limits."""

from __future__ import annotations

import json
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import DiscordError
from .messages import Upload

if TYPE_CHECKING:
    from .server import DiscordStandIn
    from .world import Application

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
# Exactly this: discord.py only parses JSON when the header is == "application/json".
JSON_HEADERS = {"Content-Type": "application/json"}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=_dumps(data).encode(), status=status, headers=JSON_HEADERS | (headers or {})
    )


def no_content() -> web.Response:
    return web.Response(status=204)


STANDIN_KEY: web.AppKey[Any] = web.AppKey("standin", object)


def standin_of(request: web.Request) -> DiscordStandIn:
    return request.app[STANDIN_KEY]  # type: ignore[no-any-return]


def auth(request: web.Request) -> Application:
    """The application whose bot token is in ``Authorization: Bot <token>`` (else 401)."""
    header = request.headers.get("Authorization", "")
    app = standin_of(request).world.apps_by_token.get(header.removeprefix("Bot ").strip())
    if app is None or not header.startswith("Bot "):
        raise DiscordError(401, 0, "401: Unauthorized")
    return app


def snowflake(request: web.Request, name: str) -> int:
    value = request.match_info[name]
    if not value.isdigit():
        raise DiscordError(400, 50035, "Invalid Form Body", {name: "Value is not snowflake."})
    return int(value)


async def read_body(request: web.Request) -> tuple[dict[str, Any], dict[int, Upload]]:
    """JSON body, or multipart with ``payload_json`` and ``files[n]`` parts (discord.py's upload)."""
    standin = standin_of(request)
    if request.content_type == "multipart/form-data":
        payload: dict[str, Any] = {}
        uploads: dict[int, Upload] = {}
        reader = await request.multipart()
        async for part in reader:
            name = getattr(part, "name", None) or ""
            if name == "payload_json":
                payload = _loads(await part.text())  # type: ignore[union-attr]
            elif name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit():
                data = await part.read()  # type: ignore[union-attr]
                uploads[int(name[6:-1])] = Upload(
                    part.filename or f"file{name[6:-1]}",  # type: ignore[union-attr]
                    bytes(data),
                    part.headers.get("Content-Type"),  # type: ignore[union-attr]
                )
            else:
                standin.record_unexpected(
                    "rest", f"unknown multipart field {name!r} on {request.path}"
                )
        return payload, uploads
    raw = await request.read()
    if not raw:
        return {}, {}
    data = _loads(raw)
    if not isinstance(data, dict):
        raise DiscordError(400, 50109, "The request body contains invalid JSON.")
    return data, {}


def _loads(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


class RateLimited(DiscordError):
    """A 429 shaped the way discord.py retries it: ``Via`` header and JSON ``retry_after``."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(429, 0, "You are being rate limited.")
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "retry_after": self.retry_after,
            "global": False,
            "code": 0,
        }

    def headers(self) -> dict[str, str]:
        return {
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(self.retry_after))),
            "X-RateLimit-Scope": "user",
        }


class EditRateLimit:
    """At most ``limit`` message edits per channel per ``window`` seconds, then 429 (off by default)."""

    def __init__(self, limit: int, window: float, retry_after: float | None = None) -> None:
        self.limit, self.window, self.fixed_retry = limit, window, retry_after
        self._hits: dict[int, deque[float]] = {}

    def check(self, channel_id: int) -> None:
        now = time.monotonic()
        hits = self._hits.setdefault(channel_id, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            raise RateLimited(self.fixed_retry or round(self.window - (now - hits[0]), 3))
        hits.append(now)
