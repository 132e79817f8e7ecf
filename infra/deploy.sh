#!/usr/bin/env bash
# Deploys a stage: the data stack from infra/template.yaml, then the Chalice app packaged with
# the Gateway Responses merged in (Chalice cannot set them itself: aws/chalice#1268) and every
# function told its WebSocket API's URL (infra/live-seat-map.json).
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

echo "==> packaging the app (stage $STAGE) with Gateway Responses and the WebSocket URL"
rm -rf build && mkdir build
.venv/bin/python -m chalicelib.tools.merge_templates infra/gateway-responses.json \
  infra/live-seat-map.json > build/merge.json
.venv/bin/chalice package --stage "$STAGE" --merge-template build/merge.json build/
aws cloudformation package --template-file build/sam.json --s3-bucket "$DEPLOY_BUCKET" \
  --output-template-file build/packaged.yaml
echo "==> api stack boxoffice-$STAGE-api"
aws cloudformation deploy --template-file build/packaged.yaml --stack-name "boxoffice-$STAGE-api" \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset
aws cloudformation describe-stacks --stack-name "boxoffice-$STAGE-api" \
  --query "Stacks[0].Outputs[?OutputKey=='EndpointURL'].OutputValue" --output text
