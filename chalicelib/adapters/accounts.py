"""Sign-in accounts at the identity provider (Cognito): closed when a customer is erased, so
no token is ever issued for them again (tokens issued before are refused by the app)."""
from __future__ import annotations

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from ..domain import errors


class CognitoAccounts:
    def __init__(self, region: str, user_pool_id: str):
        self._client = boto3.client("cognito-idp", region_name=region)
        self._pool = user_pool_id

    def close(self, user_id: str) -> None:
        # The pool signs in by email, so each user's username is their sub.
        try:
            self._client.admin_delete_user(UserPoolId=self._pool, Username=user_id)
        except self._client.exceptions.UserNotFoundException:
            return  # closed before (a repeated pass), or never signed up there
        except (ClientError, BotoCoreError) as e:
            raise errors.ServiceUnavailable() from e  # the job's next pass tries again
