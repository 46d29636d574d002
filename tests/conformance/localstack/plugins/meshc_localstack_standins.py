"""Stand-ins for the LocalStack services that need Docker or Java.

Two plug-ins, registered through LocalStack's own entry points (the package
metadata in pyproject.toml), so that LocalStack itself stays unpatched:

* ``localstack.lambda.runtime_executor`` ``meshc-recorder``
  (``LAMBDA_RUNTIME_EXECUTOR=meshc-recorder``): a Lambda runtime executor that
  runs no code. Creating a function needs nothing (LocalStack's Docker
  executor downloads a runtime binary and an image even to create one). Every
  invocation -- from an EventBridge rule, an event source mapping, a state
  machine or the Invoke API -- is appended as one JSON line (function ARN,
  request id, payload) to the file named by ``MESHC_LAMBDA_INVOCATIONS``, and
  answered with the JSON object in ``MESHC_LAMBDA_ANSWER`` (default ``{}``),
  or with an error when that variable is ``error``. The harness reads the file
  to see which functions an event reached.

* ``localstack.aws.provider`` ``dynamodb:moto``
  (``PROVIDER_OVERRIDE_DYNAMODB=moto``): DynamoDB answered by moto's backend,
  through LocalStack's moto fallback dispatcher, instead of DynamoDB Local
  (which LocalStack would download with a Java runtime, and which hangs for
  about 300 s where it cannot).
"""

import json
import os
import threading

from localstack.services.lambda_.invocation.lambda_models import InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor
from localstack.services.plugins import Service, aws_provider

_WRITE_LOCK = threading.Lock()


class RecordingExecutor(RuntimeExecutor):
    """A runtime executor that records invocations instead of running code."""

    def start(self, env_vars: dict[str, str]) -> None:
        self.env_vars = env_vars

    def stop(self) -> None:
        pass

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1/_localstack_lambda/{self.id}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        record = {
            "function": self.function_version.id.qualified_arn(),
            "request": payload.get("invoke-id"),
            "payload": payload.get("payload"),
        }
        path = os.environ.get("MESHC_LAMBDA_INVOCATIONS")
        if path:
            with _WRITE_LOCK, open(path, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
        answer = os.environ.get("MESHC_LAMBDA_ANSWER", "{}")
        if answer == "error":
            body = {"errorType": "StandIn", "errorMessage": "the meshc-recorder executor runs no code"}
            return InvocationResult(
                request_id=record["request"], payload=json.dumps(body).encode(), is_error=True, logs=""
            )
        return InvocationResult(
            request_id=record["request"], payload=answer.encode(), is_error=False, logs=""
        )

    def get_logs(self) -> str:
        return ""

    @classmethod
    def prepare_version(cls, function_version) -> None:
        pass

    @classmethod
    def cleanup_version(cls, function_version) -> None:
        pass


class RecordingExecutorPlugin(RuntimeExecutorPlugin):
    name = "meshc-recorder"

    def load(self, *args, **kwargs):
        return RecordingExecutor


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto():
    from localstack.aws.api.dynamodb import DynamodbApi
    from localstack.services.moto import MotoFallbackDispatcher

    class MotoDynamoDB(DynamodbApi):
        """Every operation raises NotImplementedError, so the dispatcher
        answers each from moto's DynamoDB backend."""

    return Service.for_provider(MotoDynamoDB(), dispatch_table_factory=MotoFallbackDispatcher)
