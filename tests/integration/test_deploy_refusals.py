"""`make deploy` refuses a stage that could not start before it makes a single AWS call."""
import json
import os
import pathlib
import shutil
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def checkout_with_prod_settings(tmp_path, **prod_environment):
    """A copy of what infra/deploy.sh reads first, with the prod settings changed."""
    for name in ("infra/deploy.sh", "chalicelib/__init__.py", "chalicelib/config.py",
                 "chalicelib/tools/__init__.py", "chalicelib/tools/preflight.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    config = json.loads((ROOT / ".chalice/config.json").read_text())
    config["stages"]["prod"]["environment_variables"].update(prod_environment)
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice/config.json").write_text(json.dumps(config))
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    return tmp_path


def deploy(checkout, tmp_path):
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    (fake / "aws").write_text(f"#!/bin/sh\necho \"$@\" >> {tmp_path}/aws-calls\nexit 1\n")
    (fake / "aws").chmod(0o755)
    env = dict(os.environ, STAGE="prod", PATH=f"{fake}:{os.environ['PATH']}")
    return subprocess.run(["bash", "infra/deploy.sh"], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=60)


def test_prod_with_the_test_provider_and_placeholder_ids_is_refused_before_any_aws_call(tmp_path):
    checkout = checkout_with_prod_settings(tmp_path / "repo", PAYMENTS="dynamo-test",
                                           COGNITO_USER_POOL_ID="SET_ME_region_poolid")
    result = deploy(checkout, tmp_path)
    assert result.returncode != 0
    assert "preflight: prod: COGNITO_USER_POOL_ID is a placeholder" in result.stderr
    assert ("preflight: prod: PAYMENTS=dynamo-test hands out tickets without money: "
            "prod needs stripe") in result.stderr
    assert not (tmp_path / "aws-calls").exists()


def test_prod_without_the_stripe_secret_parameters_is_refused_before_any_aws_call(tmp_path):
    checkout = checkout_with_prod_settings(tmp_path / "repo", STRIPE_API_KEY_PARAMETER="")
    result = deploy(checkout, tmp_path)
    assert result.returncode != 0
    assert "preflight: prod: STRIPE_API_KEY_PARAMETER is missing" in result.stderr
    assert not (tmp_path / "aws-calls").exists()


def test_the_shipped_prod_settings_get_past_the_preflight(tmp_path):
    result = deploy(checkout_with_prod_settings(tmp_path / "repo"), tmp_path)
    assert "preflight: prod settings are complete" in result.stdout
    assert (tmp_path / "aws-calls").read_text().startswith("sts get-caller-identity")
