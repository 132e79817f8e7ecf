"""Secrets of deployed stages, from SSM SecureString parameters (never from the repo)."""
from __future__ import annotations

import functools


class MissingSecret(RuntimeError):
    """A secret the stage needs is not where its settings say."""


@functools.lru_cache(maxsize=16)
def secret_parameter(region: str, name: str) -> str:
    import boto3  # deployed stages only
    from botocore.exceptions import ClientError

    try:
        value = boto3.client("ssm", region_name=region).get_parameter(Name=name, WithDecryption=True)
    except ClientError as e:
        raise MissingSecret(f"cannot read the SecureString parameter {name!r} "
                            f"({e.response['Error']['Code']}); create it as docs/deploying.md says") from e
    return value["Parameter"]["Value"]
