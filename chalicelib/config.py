"""Settings read from the environment (set per stage in .chalice/config.json)."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    catalog_table: str
    booking_table: str
    projection_table: str
    idempotency_table: str
    event_bus: str
    dynamodb_endpoint: str | None = None
    jwt_issuer: str = "boxoffice-local"
    jwt_audience: str = "boxoffice"
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    signing_key_parameter: str = ""
    hold_sweep_shards: int = 8
    booking_grace_seconds: int = 60

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def for_stage(cls, stage: str, **overrides) -> "Settings":
        names = {f"{kind}_table": f"boxoffice-{stage}-{kind}"
                 for kind in ("catalog", "booking", "projection", "idempotency")}
        values = dict(stage=stage, region="us-east-1", event_bus=f"boxoffice-{stage}", **names)
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        stage = env.get("BOXOFFICE_STAGE", "local")
        return cls.for_stage(
            stage,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION", "us-east-1"),
            catalog_table=env.get("CATALOG_TABLE", f"boxoffice-{stage}-catalog"),
            booking_table=env.get("BOOKING_TABLE", f"boxoffice-{stage}-booking"),
            projection_table=env.get("PROJECTION_TABLE", f"boxoffice-{stage}-projection"),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", f"boxoffice-{stage}-idempotency"),
            event_bus=env.get("EVENT_BUS", f"boxoffice-{stage}"),
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
            jwt_issuer=env.get("JWT_ISSUER", "boxoffice-local"),
            jwt_audience=env.get("JWT_AUDIENCE", "boxoffice"),
            cognito_user_pool_id=env.get("COGNITO_USER_POOL_ID", ""),
            cognito_client_id=env.get("COGNITO_CLIENT_ID", ""),
            signing_key_parameter=env.get("SIGNING_KEY_PARAMETER", ""),
        )
