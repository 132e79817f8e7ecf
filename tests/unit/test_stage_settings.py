"""A deployed stage refuses to start on test doubles or placeholder settings, with one clear
line; the local stage runs on its own test doubles."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.config import Settings

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"COGNITO_USER_POOL_ID": "us-east-1_AbCdEf123", "COGNITO_CLIENT_ID": "4abc567defg",
        "SIGNING_KEY_PARAMETER": "/boxoffice/prod/signing-seeds",
        "STRIPE_API_KEY_PARAMETER": "/boxoffice/prod/stripe-api-key",
        "STRIPE_WEBHOOK_SECRET_PARAMETER": "/boxoffice/prod/stripe-webhook-secret"}


def problems(stage: str, **env) -> list[str]:
    return Settings.from_env({"BOXOFFICE_STAGE": stage, **env}).startup_problems()


def test_the_local_stage_runs_on_test_doubles():
    assert problems("local") == [] and problems("local", PAYMENTS="stripe") == []


def test_prod_with_real_settings_starts():
    assert problems("prod", PAYMENTS="stripe", **GOOD) == []


def test_prod_never_takes_test_payments():
    assert problems("prod", PAYMENTS="dynamo-test", **GOOD) == [
        "PAYMENTS=dynamo-test hands out tickets without money: prod needs stripe"]


def test_dev_may_use_the_durable_test_provider():
    assert problems("dev", PAYMENTS="dynamo-test", **GOOD) == []


def test_secrets_never_come_from_the_environment_of_a_deployed_stage():
    settings = Settings.from_env({"BOXOFFICE_STAGE": "prod", "STRIPE_API_KEY": "sk_live_x",
                                  "STRIPE_WEBHOOK_SECRET": "whsec_x", "PAYMENTS": "stripe", **GOOD})
    assert (settings.stripe_api_key, settings.stripe_webhook_secret) == ("", "")


@pytest.mark.parametrize("name", ["COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID",
                                  "SIGNING_KEY_PARAMETER", "STRIPE_API_KEY_PARAMETER",
                                  "STRIPE_WEBHOOK_SECRET_PARAMETER"])
@pytest.mark.parametrize("value", ["", "SET_ME_app_client_id"])
def test_a_placeholder_or_missing_setting_is_named(name, value):
    found = problems("prod", PAYMENTS="stripe", **{**GOOD, name: value})
    assert len(found) == 1 and found[0].startswith(name)


def test_an_unknown_provider_is_named():
    assert problems("local", PAYMENTS="paypal") == [
        "PAYMENTS='paypal' is not one of dynamo-test, stripe"]


def test_importing_the_app_on_a_misconfigured_prod_fails_with_one_clear_line():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO", "PAYMENTS"))}
    env.update(BOXOFFICE_STAGE="prod", PAYMENTS="dynamo-test", COGNITO_USER_POOL_ID="SET_ME_pool",
               AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    refusals = [line for line in (result.stdout + result.stderr).splitlines()
                if "refuses to start stage 'prod'" in line]
    assert refusals and "COGNITO_USER_POOL_ID is a placeholder" in refusals[-1]
    assert "PAYMENTS=dynamo-test" in refusals[-1]


def test_a_deployed_websocket_url_must_be_the_wss_stage_url():
    stage_url = "wss://abc123.execute-api.eu-west-1.amazonaws.com/v1"
    assert problems("prod", PAYMENTS="stripe", WEBSOCKET_URL=stage_url, **GOOD) == []
    for bad in ("ws://127.0.0.1:8001", "wss://SET_ME"):
        assert problems("prod", PAYMENTS="stripe", WEBSOCKET_URL=bad, **GOOD) == [
            "WEBSOCKET_URL must be the WebSocket API's wss:// stage URL"]
    assert problems("local", WEBSOCKET_URL="ws://127.0.0.1:8001") == []
    assert Settings.from_env({"WEBSOCKET_URL": stage_url}).websocket_url == stage_url


def test_prod_refuses_a_stripe_test_key_at_start_up(monkeypatch):
    from chalicelib import bootstrap
    from chalicelib.config import MisconfiguredStage
    settings = Settings.from_env({"BOXOFFICE_STAGE": "prod", "PAYMENTS": "stripe", **GOOD})
    monkeypatch.setattr(bootstrap, "stripe_secret", lambda s, which: "sk_test_abc")
    with pytest.raises(MisconfiguredStage) as refused:
        bootstrap.payment_provider(settings)
    assert "test key" in str(refused.value)
    monkeypatch.setattr(bootstrap, "stripe_secret", lambda s, which: "sk_live_abc")
    assert type(bootstrap.payment_provider(settings)).__name__ == "StripePaymentProvider"
