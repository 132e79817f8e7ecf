"""The tables the code runs against come from infra/template.yaml, deployed into moto."""
import boto3


def test_tables_have_the_keys_indexes_streams_and_recovery_the_template_defines(stack):
    ddb = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    booking = ddb.describe_table(TableName="boxoffice-local-booking")["Table"]
    assert {k["AttributeName"] for k in booking["KeySchema"]} == {"pk", "sk"}
    assert {i["IndexName"] for i in booking["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2"}
    assert booking["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    idem = ddb.describe_table(TableName="boxoffice-local-idempotency")["Table"]
    assert [k["AttributeName"] for k in idem["KeySchema"]] == ["id"]
    names = set(ddb.list_tables()["TableNames"])
    assert {"boxoffice-local-catalog", "boxoffice-local-projection"} <= names


def test_the_event_bus_exists(stack):
    events = boto3.client("events", endpoint_url=stack.moto.url, region_name="us-east-1")
    assert "boxoffice-local" in {b["Name"] for b in events.list_event_buses()["EventBuses"]}


def test_the_template_turns_on_recovery_ttl_and_prod_deletion_protection():
    # moto's CloudFormation ignores PITR and TTL settings, so read the template itself.
    from pathlib import Path

    from cfnlint.decode.cfn_yaml import loads
    template = loads((Path(__file__).resolve().parents[2] / "infra/template.yaml").read_text())
    tables = {k: v["Properties"] for k, v in template["Resources"].items()
              if v["Type"] == "AWS::DynamoDB::Table"}
    assert len(tables) == 5
    for name, table in tables.items():
        assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}, name
        assert table["TimeToLiveSpecification"]["Enabled"] is True, name
        if name not in ("IdempotencyTable", "LiveTable"):  # short-lived records only
            assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
