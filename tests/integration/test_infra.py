"""The tables the code runs against come from infra/template.yaml, deployed into moto."""
import boto3


def test_tables_have_the_keys_indexes_streams_and_recovery_the_template_defines(stack):
    ddb = boto3.client("dynamodb", endpoint_url=stack.moto.url, region_name="us-east-1")
    booking = ddb.describe_table(TableName="boxoffice-local-booking")["Table"]
    assert {k["AttributeName"] for k in booking["KeySchema"]} == {"pk", "sk"}
    assert {i["IndexName"] for i in booking["GlobalSecondaryIndexes"]} == {"gsi1", "gsi2", "gsi3"}
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
    assert len(tables) == 4
    for name, table in tables.items():
        assert table["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}, name
        assert table["TimeToLiveSpecification"]["Enabled"] is True, name
        if name != "IdempotencyTable":
            assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def webhook_queue(stack):
    """infra/webhooks.yaml deployed into moto's CloudFormation, as deploy.sh deploys it."""
    import json
    from pathlib import Path
    cfn = boto3.client("cloudformation", endpoint_url=stack.moto.url, region_name="us-east-1")
    name = "boxoffice-local-webhooks"
    if name not in {s["StackName"] for s in cfn.list_stacks()["StackSummaries"]}:
        template = (Path(__file__).resolve().parents[2] / "infra/webhooks.yaml").read_text()
        cfn.create_stack(StackName=name, TemplateBody=template,
                         Parameters=[{"ParameterKey": "Stage", "ParameterValue": "local"}])
    outputs = {o["OutputKey"]: o["OutputValue"]
               for o in cfn.describe_stacks(StackName=name)["Stacks"][0]["Outputs"]}
    sqs = boto3.client("sqs", endpoint_url=stack.moto.url, region_name="us-east-1")
    attributes = sqs.get_queue_attributes(QueueUrl=outputs["WebhookQueueUrl"],
                                          AttributeNames=["All"])["Attributes"]
    return sqs, outputs, attributes, json


def test_webhook_deliveries_have_a_queue_with_dead_letters_that_outlives_the_retries(stack):
    _, outputs, attributes, json = webhook_queue(stack)
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == outputs["WebhookDeadLetterQueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5
    assert int(attributes["MessageRetentionPeriod"]) > 72 * 3600
    assert int(attributes["VisibilityTimeout"]) >= 6 * 29  # the sender's timeout, six times


def test_the_sqs_queue_carries_delivery_ids_and_caps_delays_at_sqs_limit(stack):
    from chalicelib.adapters.delivery_queue import SqsDeliveryQueue, delivery_ids
    sqs, outputs, _, _ = webhook_queue(stack)
    queue = SqsDeliveryQueue(sqs, outputs["WebhookQueueName"])
    queue.send("dlv_now")
    queue.send("dlv_much_later", delay_seconds=5000)  # SQS refuses more than 900 s
    got = sqs.receive_message(QueueUrl=outputs["WebhookQueueUrl"], MaxNumberOfMessages=10)
    assert delivery_ids([m["Body"] for m in got["Messages"]]) == ["dlv_now"]
