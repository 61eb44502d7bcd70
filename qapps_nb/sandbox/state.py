"""Constants, mutable settings and the shared state every request handler reads.

The state is one object so that the HTTP layer, the Q Apps API and the S3 side agree
on one clock (which tests may skew on purpose), one secret and one object store.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..validation import MAX_UPLOAD_BYTES
from .apps import AppSpec, AppStore
from .demo_apps import DEMO_APPS
from .faults import FaultQueue
from .records import RequestLog
from .sessions import SessionStore
from .store import ObjectStore

REGION = "us-east-1"
BUCKET = "qapps-sandbox"
DEFAULT_URL_TTL = 900.0
DEFAULT_MAX_SIZE = MAX_UPLOAD_BYTES
"""5 GB = 5,000,000,000 bytes (decimal, like every size qapps-nb shows): S3's POST limit."""
DEFAULT_MODEL_LATENCY = 1.0

# Dummy client credentials: the sandbox accepts any well-formed SigV4 header for service
# ``qapps``; these exist only so boto3 has something to sign with. Not AWS keys.
CLIENT_ACCESS_KEY_ID = "AKIASANDBOXNOTAWS000"
CLIENT_SECRET_ACCESS_KEY = "sandbox-dummy-secret-not-an-aws-key"  # noqa: S105 (public dummy)

# Ready-made demo ids: valid for the botocore model, obviously not real.
DEMO_INSTANCE_ID = "qapps-sandbox-instance"
DEMO_APP_ID = "00000000-0000-4000-8000-00000000a001"
DEMO_CARD_ID = "00000000-0000-4000-8000-00000000c001"
DEMO_SESSION_ID = "00000000-0000-4000-8000-00000000e001"


@dataclass
class Settings:
    """Knobs tests and users may change while the sandbox runs (read per request)."""

    url_ttl: float = DEFAULT_URL_TTL
    """Lifetime in seconds of each new presigned URL."""
    max_size: int = DEFAULT_MAX_SIZE
    """Upper bound of the ``content-length-range`` in each new policy."""
    clock_skew: float = 0.0
    """Seconds added to the server clock (simulates a client clock that is off)."""
    api_latency: float = 0.0
    """Seconds added to every Q Apps API request."""
    s3_latency: float = 0.0
    """Seconds added to every S3 request."""
    model_latency: float = DEFAULT_MODEL_LATENCY
    """Seconds a q-query card stays IN_PROGRESS once the cards it mentions are COMPLETED."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Reject nonsense early, with a message that names the setting."""
        for name in SETTING_NAMES:
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be a finite number, not {getattr(self, name)!r}")
        if self.max_size < 1:
            raise ValueError(f"max_size must be at least 1 byte, not {self.max_size!r}")
        if self.api_latency < 0 or self.s3_latency < 0 or self.model_latency < 0:
            raise ValueError("latency must not be negative")

    def copy(self) -> Settings:
        return Settings(**{name: getattr(self, name) for name in SETTING_NAMES})

    def restore(self, other: Settings) -> None:
        """Copy every value from ``other`` (used to reset between tests)."""
        for name in SETTING_NAMES:
            setattr(self, name, getattr(other, name))


SETTING_NAMES = ("url_ttl", "max_size", "clock_skew", "api_latency", "s3_latency",
                 "model_latency")


@dataclass
class SandboxState:
    """Everything the handlers share. One per running sandbox."""

    storage_dir: Path
    settings: Settings
    store: ObjectStore
    faults: FaultQueue = field(default_factory=FaultQueue)
    log: RequestLog = field(default_factory=RequestLog)
    apps: AppStore = field(default_factory=AppStore)
    sessions: SessionStore = field(default_factory=SessionStore)
    region: str = REGION
    bucket: str = BUCKET
    endpoint_url: str = ""
    instance_id: str = DEMO_INSTANCE_ID
    app_id: str = DEMO_APP_ID
    card_id: str = DEMO_CARD_ID
    session_id: str = DEMO_SESSION_ID
    stopping: threading.Event = field(default_factory=threading.Event)
    initial_apps: tuple[AppSpec, ...] = DEMO_APPS
    """The apps at start and after :meth:`reset`: the demo apps plus any given at start."""
    # The sandbox's own presign credentials: the S3 side verifies policies with them.
    presign_access_key: str = field(
        default_factory=lambda: "ASIASBX" + secrets.token_hex(7).upper())
    presign_secret: str = field(default_factory=lambda: secrets.token_urlsafe(30))
    initial_settings: Settings = field(init=False)
    """What :meth:`reset` restores (the settings the sandbox started with)."""

    def __post_init__(self) -> None:
        self.initial_settings = self.settings.copy()
        self.apps.replace_all(self.instance_id, self.initial_apps, self.now())

    @property
    def s3_url(self) -> str:
        return f"{self.endpoint_url}/s3/{self.bucket}"

    def timestamp(self) -> float:
        """The server clock as a POSIX timestamp, skew included."""
        return time.time() + self.settings.clock_skew

    def now(self) -> datetime:
        """The server clock as an aware UTC datetime, skew included."""
        return datetime.now(timezone.utc) + timedelta(seconds=self.settings.clock_skew)

    def pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the sandbox stops (keeps stop() fast)."""
        if seconds > 0:
            self.stopping.wait(seconds)

    def reset(self, *, objects: bool = True) -> None:
        """Back to the start: settings, faults, log, apps, sessions (and objects)."""
        self.settings.restore(self.initial_settings)
        self.faults.clear()
        self.log.clear()
        self.sessions.clear()
        self.apps.replace_all(self.instance_id, self.initial_apps, self.now())
        if objects:
            self.store.clear()
