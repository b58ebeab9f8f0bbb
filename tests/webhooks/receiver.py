"""A webhook receiver written from the documentation only (docs: "Receiving webhooks"): the
same code the guide shows, run in a thread on 127.0.0.1. It knows nothing of Laurel's code."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 5 * 60  # seconds: an older (or future) timestamp is refused as a replay


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """Whether ``header`` (the Laurel-Signature) signs ``body`` with ``secret``, recently."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now or time.time()) - timestamp) > TOLERANCE:
        return False
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver:
    """Answers each POST with the next of ``answers`` (then 200); 400 for a bad signature.
    ``received`` holds what was accepted, ``requests`` everything that came."""

    def __init__(self, secret: str = "", answers: list[int] | None = None):
        self.secret = secret
        self.answers = list(answers or [])
        self.received: list[dict] = []
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {
                    "headers": dict(self.headers),
                    "body": body,
                    "path": self.path,
                    "valid": verify(
                        receiver.secret, self.headers.get("Laurel-Signature", ""), body
                    ),
                }
                with receiver.lock:
                    receiver.requests.append(request)
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    if not request["valid"]:
                        status = 400
                    elif 200 <= status < 300:
                        receiver.received.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/laurel"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
