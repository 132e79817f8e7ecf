"""Session fixtures for the payment adapters: localstripe on loopback, and the booking table
from infra/template.yaml in moto (in a region of its own, apart from the local stack's)."""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass

import boto3
import pytest

TEMPLATE = pathlib.Path(__file__).resolve().parents[2] / "infra" / "template.yaml"


@dataclass(frozen=True)
class Table:
    name: str
    region: str
    endpoint: str


@pytest.fixture(scope="session")
def localstripe():
    from chalicelib.local.localstripe import LocalStripe
    with LocalStripe() as server:
        yield server


@pytest.fixture(scope="session")
def booking_table() -> Table:
    """The booking table as `infra/` defines it, deployed into moto's CloudFormation."""
    from chalicelib.local.moto_server import SerialisedMoto
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[name] = "local"
    moto = SerialisedMoto().start()
    region = "eu-west-1"
    cfn = boto3.client("cloudformation", endpoint_url=moto.url, region_name=region)
    cfn.create_stack(StackName="boxoffice-payments-test", TemplateBody=TEMPLATE.read_text(),
                     Parameters=[{"ParameterKey": "Stage", "ParameterValue": "dev"}],
                     Capabilities=["CAPABILITY_IAM"])
    yield Table("boxoffice-dev-booking", region, moto.url)
    moto.stop()
