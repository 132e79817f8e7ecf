"""The deployed web client's config.json, written from the stacks' outputs."""
import pytest

from chalicelib.tools.web_config import web_config

OUTPUTS = {"HostedSignInUrl": "https://boxoffice-dev-1234.auth.eu-west-1.amazoncognito.com",
           "UserPoolClientId": "client123", "UserPoolId": "eu-west-1_abc"}


def test_the_web_client_signs_in_with_cognitos_hosted_ui_and_calls_the_stage_url():
    config = web_config(OUTPUTS, "https://api.example/v1/", "https://d1.cloudfront.net/", "dev")
    assert config["api_url"] == "https://api.example/v1"  # paths start with a slash
    assert config["auth"] == {"mode": "cognito", "domain": OUTPUTS["HostedSignInUrl"],
                              "client_id": "client123",
                              "redirect_uri": "https://d1.cloudfront.net/",
                              "scope": "openid email profile"}


def test_outputs_without_the_hosted_sign_in_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="HostedSignInUrl"):
        web_config({"UserPoolClientId": "c"}, "https://api.example/v1/", "https://w/", "dev")
