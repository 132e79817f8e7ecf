"""The tables the code runs against come from infra/template.yaml, deployed into moto."""
import json

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


def test_every_domain_event_is_archived_for_replays():
    # moto's CloudFormation cannot create archives (the local stack leaves it out): read the
    # template itself.
    from pathlib import Path

    from cfnlint.decode.cfn_yaml import loads
    template = loads((Path(__file__).resolve().parents[2] / "infra/template.yaml").read_text())
    archive = template["Resources"]["EventArchive"]
    assert archive["Type"] == "AWS::Events::Archive"
    assert archive["Properties"]["SourceArn"] == {"Fn::GetAtt": ["EventBus", "Arn"]}
    assert archive["Properties"]["EventPattern"] == {"source": ["boxoffice"]}
    assert archive["Properties"]["RetentionDays"] >= 365


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


def auth_template():
    from pathlib import Path

    from cfnlint.decode.cfn_yaml import loads
    return loads((Path(__file__).resolve().parents[2] / "infra/auth.yaml").read_text())


def test_the_auth_stack_creates_a_pool_a_client_an_organizer_group_and_outputs_them():
    template = auth_template()
    kinds = {v["Type"] for v in template["Resources"].values()}
    assert kinds == {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
                     "AWS::Cognito::UserPoolGroup", "AWS::Cognito::UserPoolDomain"}
    assert {"UserPoolId", "UserPoolArn", "UserPoolClientId"} <= set(template["Outputs"])
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert "custom:tenant_id" in client["ReadAttributes"]
    assert "custom:tenant_id" not in client["WriteAttributes"]  # nobody names their own tenant


def test_an_organizers_id_token_carries_the_claims_the_api_reads(stack):
    """The pool and client as infra/auth.yaml defines them, created in moto's Cognito (its
    CloudFormation has no Cognito), then an organizer signs in."""
    import jwt
    template = auth_template()["Resources"]
    pool = dict(template["UserPool"]["Properties"])
    pool["PoolName"] = "boxoffice-dev"
    for cfn_only in ("UserPoolName", "DeletionProtection"):
        pool.pop(cfn_only)
    # The hosted sign-in's OAuth settings exist only with a WebUrl (CloudFormation conditions).
    client = {k: v for k, v in template["UserPoolClient"]["Properties"].items()
              if k != "UserPoolId" and not (isinstance(v, dict) and "Fn::If" in v)}
    client["ClientName"] = "boxoffice-dev-web"
    # the session's moto: mock_aws() would reset every backend, the stack's too
    cognito = boto3.client("cognito-idp", endpoint_url=stack.moto.url, region_name="us-east-1")
    pool_id = cognito.create_user_pool(**pool)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, **client)[
        "UserPoolClient"]["ClientId"]
    group = template["OrganizerGroup"]["Properties"]
    cognito.create_group(UserPoolId=pool_id, GroupName=group["GroupName"],
                         Description=group["Description"])
    email = "ana@example.org"
    cognito.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"},
                                              {"Name": "custom:tenant_id", "Value": "tnt-7"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email,
                                    Password="Correct-Horse-9", Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="organizer")
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": email,
                                                   "PASSWORD": "Correct-Horse-9"})
    claims = jwt.decode(tokens["AuthenticationResult"]["IdToken"],
                        options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["aud"] == client_id
    assert claims["email"] == email and claims["sub"]
    assert claims["cognito:groups"] == ["organizer"]
    assert claims["custom:tenant_id"] == "tnt-7"


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


def test_the_hosted_sign_in_is_code_flow_with_the_web_clients_url_only_when_there_is_one():
    template = auth_template()
    client = template["Resources"]["UserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlows"]["Fn::If"][:2] == ["HasWeb", ["code"]]
    assert client["CallbackURLs"]["Fn::If"][1] == [{"Ref": "WebUrl"}]
    assert template["Resources"]["HostedSignIn"]["Condition"] == "HasWeb"
    assert client["GenerateSecret"] is False  # a browser cannot keep a secret: PKCE instead


def test_the_web_bucket_is_private_and_read_only_by_its_cloudfront_distribution():
    from pathlib import Path

    from cfnlint.decode.cfn_yaml import loads
    template = loads((Path(__file__).resolve().parents[2] / "infra/web.yaml").read_text())
    resources = template["Resources"]
    block = resources["WebBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    origin = resources["WebDistribution"]["Properties"]["DistributionConfig"]["Origins"][0]
    assert "OriginAccessControlId" in origin
    allow = resources["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in allow["Condition"]["StringEquals"]
