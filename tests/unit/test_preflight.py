"""Deploying refuses a stage whose settings cannot work, before anything touches AWS."""
import json

from chalicelib.tools import preflight

STACK_OUTPUTS = {"CatalogTableName": "boxoffice-prod-catalog", "BookingTableName": "boxoffice-prod-booking",
                 "ProjectionTableName": "boxoffice-prod-projection",
                 "IdempotencyTableName": "boxoffice-prod-idempotency", "EventBusName": "boxoffice-prod",
                 "UserPoolId": "eu-west-1_Abc123", "UserPoolClientId": "4f1c0example",
                 "UserPoolArn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Abc123",
                 "WebhookQueueName": "boxoffice-prod-webhooks", "LiveTableName": "boxoffice-prod-live"}


def prod(**changes):
    env = preflight.with_stack_outputs(preflight.stage_environment("prod"), STACK_OUTPUTS)
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def test_the_shipped_prod_and_dev_settings_pass():
    assert preflight.problems("prod", prod(), resolved=True) == []
    assert preflight.problems("dev", preflight.stage_environment("dev"), resolved=False) == []


def test_prod_with_the_test_payment_provider_is_refused():
    [problem] = preflight.problems("prod", prod(PAYMENTS="dynamo-test"), resolved=True)
    assert problem == "PAYMENTS=dynamo-test hands out tickets without money: prod needs stripe"
    [problem] = preflight.problems("prod", prod(PAYMENTS="test"), resolved=True)
    assert problem.startswith("PAYMENTS='test' is not one of")


def test_placeholder_cognito_ids_are_refused():
    found = preflight.problems("prod", prod(COGNITO_USER_POOL_ID="SET_ME_region_poolid",
                                            COGNITO_CLIENT_ID=""), resolved=True)
    assert found == ["COGNITO_USER_POOL_ID is a placeholder",
                     "COGNITO_CLIENT_ID is missing from the stack outputs (UserPoolClientId)"]


def test_missing_secret_parameters_are_refused():
    found = preflight.problems("prod", prod(SIGNING_KEY_PARAMETER=None,
                                            STRIPE_WEBHOOK_SECRET_PARAMETER=""), resolved=True)
    assert len(found) == 2
    assert sorted(found) == ["SIGNING_KEY_PARAMETER is missing",
                             "STRIPE_WEBHOOK_SECRET_PARAMETER is missing"]


def test_a_secret_pasted_into_the_config_is_refused():
    [problem] = preflight.problems("dev", dict(preflight.stage_environment("dev"),
                                               STRIPE_API_KEY="sk_live_abc"), resolved=False)
    assert problem.startswith("STRIPE_API_KEY holds a secret in config.json")


def test_the_local_stage_cannot_be_deployed():
    [problem] = preflight.problems("local", preflight.stage_environment("local"), resolved=False)
    assert "cannot be deployed" in problem


def test_the_command_prints_one_line_per_problem_and_exits_non_zero(tmp_path, capsys):
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(dict(STACK_OUTPUTS, UserPoolId="")))
    assert preflight.main(["--stage", "prod", "--outputs", str(outputs)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["preflight: prod: COGNITO_USER_POOL_ID is missing from the stack outputs (UserPoolId)",
                     "preflight: refusing to deploy prod (1 problem(s))"]
    outputs.write_text(json.dumps(STACK_OUTPUTS))
    assert preflight.main(["--stage", "prod", "--outputs", str(outputs)]) == 0
