#!/usr/bin/env bash
# Deploys a stage: the data stack from infra/template.yaml, then the Chalice app packaged with
# the Gateway Responses merged in (Chalice cannot set them itself: aws/chalice#1268).
# Needs the AWS CLI, credentials, and DEPLOY_BUCKET (an S3 bucket for the Lambda package).
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE="${STAGE:-dev}"
: "${DEPLOY_BUCKET:?set DEPLOY_BUCKET to an S3 bucket for the deployment package}"
command -v aws >/dev/null || { echo "error: the AWS CLI is required to deploy" >&2; exit 1; }

echo "==> data stack boxoffice-$STAGE-data (tables, bus)"
aws cloudformation deploy --template-file infra/template.yaml --stack-name "boxoffice-$STAGE-data" \
  --parameter-overrides "Stage=$STAGE" --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset

output() {
  aws cloudformation describe-stacks --stack-name "boxoffice-$STAGE-data" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
export BOOKING_STREAM_ARN="$(output BookingStreamArn)" CATALOG_STREAM_ARN="$(output CatalogStreamArn)"

echo "==> webhook stack boxoffice-$STAGE-webhooks (delivery queue + dead letters)"
aws cloudformation deploy --template-file infra/webhooks.yaml --stack-name "boxoffice-$STAGE-webhooks" \
  --parameter-overrides "Stage=$STAGE" --no-fail-on-empty-changeset
export WEBHOOK_QUEUE_ARN="$(aws cloudformation describe-stacks --stack-name "boxoffice-$STAGE-webhooks" \
  --query "Stacks[0].Outputs[?OutputKey=='WebhookQueueArn'].OutputValue" --output text)"

echo "==> packaging the app (stage $STAGE) with Gateway Responses"
rm -rf build && .venv/bin/chalice package --stage "$STAGE" --merge-template infra/gateway-responses.json build/
aws cloudformation package --template-file build/sam.json --s3-bucket "$DEPLOY_BUCKET" \
  --output-template-file build/packaged.yaml
echo "==> api stack boxoffice-$STAGE-api"
aws cloudformation deploy --template-file build/packaged.yaml --stack-name "boxoffice-$STAGE-api" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset
aws cloudformation describe-stacks --stack-name "boxoffice-$STAGE-api" \
  --query "Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue" --output text
