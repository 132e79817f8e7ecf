"""Settings read from the environment (set per stage in .chalice/config.json), and the
checks a deployed stage must pass before it serves anyone."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

PAYMENT_PROVIDERS = ("dynamo-test", "stripe")
TEST_PROVIDERS = ("dynamo-test",)
PLACEHOLDER = "SET_ME"
RATE_LIMIT_MODES = ("off", "on", "edge")  # edge: the application's limits and the edge's


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    catalog_table: str
    booking_table: str
    projection_table: str
    idempotency_table: str
    event_bus: str
    live_table: str
    payments: str = "dynamo-test"
    dynamodb_endpoint: str | None = None
    jwt_issuer: str = "boxoffice-local"
    jwt_audience: str = "boxoffice"
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    signing_key_parameter: str = ""
    stripe_api_key_parameter: str = ""
    stripe_webhook_secret_parameter: str = ""
    stripe_api_base: str | None = None
    # Local stage only (localstripe): deployed stages read their secrets from SSM.
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    hold_sweep_shards: int = 8
    booking_grace_seconds: int = 60
    webhook_queue: str = ""  # the SQS queue's name (infra/webhooks.yaml); default per stage
    # The live seat map (docs/live-seat-map.md): where clients subscribe (deployed: the
    # WebSocket API's wss:// stage URL, set by the packaged template), its coalescing window,
    # how many shards (each fanned out by its own invocation) one event's subscriptions are
    # spread over, and how many parts a window's pending changes are written to.
    websocket_url: str | None = None
    live_window_seconds: float = 1.0
    live_subscription_shards: int = 4
    live_change_parts: int = 4
    rate_limits: str = "on"
    holds_per_minute: int = 30
    bookings_per_minute: int = 20
    organizer_writes_per_minute: int = 300
    queue_shards: int = 8
    queue_pass_seconds: int = 5
    queue_run_seconds: int = 50  # AWS: passes per scheduled run (its timeout is 60 s)

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def for_stage(cls, stage: str, **overrides) -> "Settings":
        names = {f"{kind}_table": f"boxoffice-{stage}-{kind}"
                 for kind in ("catalog", "booking", "projection", "idempotency", "live")}
        values = dict(stage=stage, region="us-east-1", event_bus=f"boxoffice-{stage}",
                      webhook_queue=f"boxoffice-{stage}-webhooks", **names)
        if stage == "local":
            # One process, no partition limits: spreading the live seat map's items would
            # only add requests to the serialised moto.
            values.update(live_subscription_shards=1, live_change_parts=1)
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        stage = env.get("BOXOFFICE_STAGE", "local")
        optional = {name: env[key] for name, key in (
            ("jwt_issuer", "JWT_ISSUER"), ("jwt_audience", "JWT_AUDIENCE"),
            ("cognito_user_pool_id", "COGNITO_USER_POOL_ID"),
            ("cognito_client_id", "COGNITO_CLIENT_ID"),
            ("signing_key_parameter", "SIGNING_KEY_PARAMETER"),
            ("stripe_api_key_parameter", "STRIPE_API_KEY_PARAMETER"),
            ("stripe_webhook_secret_parameter", "STRIPE_WEBHOOK_SECRET_PARAMETER"),
            ("payments", "PAYMENTS"), ("webhook_queue", "WEBHOOK_QUEUE"),
            ("rate_limits", "RATE_LIMITS"))
            if env.get(key) is not None}
        numbers = {name: int(env[key]) for name, key in (
            ("holds_per_minute", "HOLDS_PER_MINUTE"),
            ("bookings_per_minute", "BOOKINGS_PER_MINUTE"),
            ("organizer_writes_per_minute", "ORGANIZER_WRITES_PER_MINUTE"),
            ("queue_shards", "QUEUE_SHARDS"), ("queue_pass_seconds", "QUEUE_PASS_SECONDS"))
            if (env.get(key) or "").isdigit()}
        return cls.for_stage(
            stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION", "us-east-1"),
            catalog_table=env.get("CATALOG_TABLE", f"boxoffice-{stage}-catalog"),
            booking_table=env.get("BOOKING_TABLE", f"boxoffice-{stage}-booking"),
            projection_table=env.get("PROJECTION_TABLE", f"boxoffice-{stage}-projection"),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", f"boxoffice-{stage}-idempotency"),
            live_table=env.get("LIVE_TABLE", f"boxoffice-{stage}-live"),
            websocket_url=env.get("WEBSOCKET_URL") or None,
            live_window_seconds=float(env.get("LIVE_WINDOW_SECONDS", "1")),
            **{name: int(env[key]) for name, key in (
                ("live_subscription_shards", "LIVE_SUBSCRIPTION_SHARDS"),
                ("live_change_parts", "LIVE_CHANGE_PARTS")) if env.get(key)},
            event_bus=env.get("EVENT_BUS", f"boxoffice-{stage}"),
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
            stripe_api_base=env.get("STRIPE_API_BASE") or None,
            stripe_api_key=env.get("STRIPE_API_KEY", "") if stage == "local" else "",
            stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "") if stage == "local" else "",
            **optional, **numbers)

    def startup_problems(self) -> list[str]:
        """Why this stage must not serve anyone (empty when it may): a deployed stage never
        runs on test doubles or placeholder settings, and prod never takes test payments."""
        problems = []
        if self.payments not in PAYMENT_PROVIDERS:
            problems.append(f"PAYMENTS={self.payments!r} is not one of {', '.join(PAYMENT_PROVIDERS)}")
        if self.rate_limits not in RATE_LIMIT_MODES:
            problems.append(f"RATE_LIMITS={self.rate_limits!r} is not one of {', '.join(RATE_LIMIT_MODES)}")
        if min(self.queue_shards, self.queue_pass_seconds, self.holds_per_minute,
               self.bookings_per_minute, self.organizer_writes_per_minute) < 1:
            problems.append("rate limits, QUEUE_SHARDS and QUEUE_PASS_SECONDS must be at least 1")
        if self.is_local:
            return problems
        if self.stage == "prod" and self.rate_limits == "off":
            problems.append("RATE_LIMITS=off leaves prod open to bots: use on")
        if self.stage == "prod" and self.payments in TEST_PROVIDERS:
            problems.append(f"PAYMENTS={self.payments} hands out tickets without money: prod needs stripe")
        for name, value in (("COGNITO_USER_POOL_ID", self.cognito_user_pool_id),
                            ("COGNITO_CLIENT_ID", self.cognito_client_id),
                            ("SIGNING_KEY_PARAMETER", self.signing_key_parameter)):
            if not value or PLACEHOLDER in value:
                problems.append(f"{name} is {'a placeholder' if value else 'missing'}")
        if self.websocket_url and (PLACEHOLDER in self.websocket_url
                                   or not self.websocket_url.startswith("wss://")):
            problems.append("WEBSOCKET_URL must be the WebSocket API's wss:// stage URL")
        if self.payments == "stripe":
            for name, value in (("STRIPE_API_KEY_PARAMETER", self.stripe_api_key_parameter),
                                ("STRIPE_WEBHOOK_SECRET_PARAMETER",
                                 self.stripe_webhook_secret_parameter)):
                if not value or PLACEHOLDER in value:
                    problems.append(f"{name} is {'a placeholder' if value else 'missing'}")
        return problems


class MisconfiguredStage(RuntimeError):
    """The stage's settings would serve customers with test doubles or placeholders."""

    def __init__(self, stage: str, problems: list[str]):
        super().__init__(f"boxoffice refuses to start stage {stage!r}: " + "; ".join(problems))
