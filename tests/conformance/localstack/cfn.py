"""CloudFormation templates: the messaging closure, the one rewrite the
harness makes, parameters, deploying through boto3, and what LocalStack
mocked.

The closure of a template is the set of its resources that the messaging
resources need: every event bus, rule, archive, queue and queue policy,
topic, subscription and topic policy, stream, state machine and the Lambda
permissions that let EventBridge or SNS invoke a function, and everything
those reference (Ref, Fn::GetAtt, Fn::Sub, DependsOn), transitively. The
resources are copied unchanged; every parameter and condition is kept;
outputs are kept when all they reference was.
"""

import copy
import importlib.metadata
import io
import json
import re
import time
import zipfile

import boto3
from botocore.config import Config

MESSAGING_TYPES = {
    "AWS::Events::EventBus",
    "AWS::Events::Rule",
    "AWS::Events::Archive",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::Topic",
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::Kinesis::Stream",
    "AWS::StepFunctions::StateMachine",
}
INVOKERS = {"events.amazonaws.com", "sns.amazonaws.com"}
INLINE_LIMIT = 51_200
FALLBACK = "is not supported but was deployed as a fallback"


def client(kind, endpoint, region, account):
    return boto3.client(
        kind,
        endpoint_url=endpoint,
        region_name=region,
        # LocalStack takes a 12-digit access key id as the account id, so
        # every example (and the README's run) has an account of its own.
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 2}, read_timeout=120),
    )


def region_of(template):
    zones = template.get("Parameters", {}).get("AvailabilityZones", {}).get("Default")
    if zones:
        return zones.split(",")[0][:-1]
    text = json.dumps(template)
    found = re.search(r"arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d):", text)
    return found.group(1) if found else "us-east-1"


def references(value):
    """Logical ids a value refers to, with Ref, Fn::GetAtt and Fn::Sub."""
    found = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    found.add(name.split(".")[0])
                if isinstance(inner, list) and len(inner) > 1:
                    found |= references(inner[1])
                    found -= set(inner[1].keys()) if isinstance(inner[1], dict) else set()
                continue
            found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


def depends_on(resource):
    needs = resource.get("DependsOn", [])
    return {needs} if isinstance(needs, str) else set(needs)


def seeds(template):
    chosen = set()
    for name, resource in template["Resources"].items():
        kind = resource["Type"]
        if kind in MESSAGING_TYPES:
            chosen.add(name)
        elif kind == "AWS::Lambda::Permission":
            if resource["Properties"].get("Principal") in INVOKERS:
                chosen.add(name)
    return chosen


def closure(template, extra_outputs=None):
    """The closure of the messaging resources, as a new template."""
    resources = template["Resources"]
    chosen = set()
    pending = list(seeds(template))
    while pending:
        name = pending.pop()
        if name in chosen or name not in resources:
            continue
        chosen.add(name)
        resource = resources[name]
        pending.extend(references(resource.get("Properties", {})) | depends_on(resource))
    kept = {name: copy.deepcopy(resources[name]) for name in resources if name in chosen}
    known = set(kept) | set(template.get("Parameters", {})) | {
        "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName",
        "AWS::StackId", "AWS::URLSuffix", "AWS::NoValue",
    }
    outputs = {}
    for name, output in template.get("Outputs", {}).items():
        if references(output) <= known:
            outputs[name] = copy.deepcopy(output)
    for name, value in (extra_outputs or {}).items():
        if references(value) <= known:
            outputs[name] = {"Value": value}
    result = {key: copy.deepcopy(value) for key, value in template.items() if key not in ("Resources", "Outputs")}
    result["Resources"] = kept
    if outputs:
        result["Outputs"] = outputs
    return result


def definition_strings(template):
    """LocalStack's CloudFormation engine crashes on a null anywhere in a
    resource's properties ("Unsupported type <class 'NoneType'>"), and a
    state machine's `Definition` object holds `"ResultPath": null` (valid
    ASL: keep the input). The one rewrite this harness makes: each
    `Definition` object becomes the same JSON as a `DefinitionString`, which
    AWS documents as equivalent; deployed() then checks that the definition
    LocalStack holds is that JSON, null included. Returns the logical ids
    rewritten."""
    rewritten = []
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::StepFunctions::StateMachine" and "Definition" in properties:
            definition = properties.pop("Definition")
            if re.search(r'"(Ref|Fn::[A-Za-z]+)"\s*:', json.dumps(definition)):
                raise ValueError(f"{name}: the Definition holds intrinsic functions")
            properties["DefinitionString"] = json.dumps(definition)
            rewritten.append(name)
    return rewritten


def code_signing_tags(template):
    """LocalStack's provider for AWS::Lambda::CodeSigningConfig passes the
    template's `Tags` (a list of Key/Value pairs, as CloudFormation documents
    it) to Lambda's CreateCodeSigningConfig, which takes a map, and fails
    ("Invalid type for parameter Tags"); every function of the template
    names that configuration. Tags route nothing: the rewrite drops them from
    that one type. Returns the logical ids rewritten."""
    rewritten = []
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::CodeSigningConfig" and "Tags" in resource.get("Properties", {}):
            del resource["Properties"]["Tags"]
            rewritten.append(name)
    return rewritten


# The rewrites the harness makes to a template before LocalStack deploys it,
# each for a gap of LocalStack's, none changing what is routed or run.
REWRITES = [
    ("Definition object given as DefinitionString", definition_strings),
    ("Tags dropped from AWS::Lambda::CodeSigningConfig", code_signing_tags),
]


def rewrite(template):
    """Applies every rewrite; returns [(what, logical ids)] of those that
    changed something."""
    done = []
    for what, function in REWRITES:
        names = function(template)
        if names:
            done.append((what, names))
    return done


def same_definition(emitted, deployed):
    """Whether a deployed definition is the emitted one with its
    ${placeholders} filled: every key, value and null in place."""
    if isinstance(emitted, dict):
        return (
            isinstance(deployed, dict)
            and set(emitted) == set(deployed)
            and all(same_definition(emitted[key], deployed[key]) for key in emitted)
        )
    if isinstance(emitted, list):
        return (
            isinstance(deployed, list)
            and len(emitted) == len(deployed)
            and all(same_definition(a, b) for a, b in zip(emitted, deployed))
        )
    if isinstance(emitted, str) and "${" in emitted:
        pattern = "".join(
            ".+" if part.startswith("${") else re.escape(part)
            for part in re.split(r"(\$\{[^}]+\})", emitted)
        )
        return isinstance(deployed, str) and re.fullmatch(pattern, deployed) is not None
    return emitted == deployed and type(emitted) is type(deployed)


def provided_types():
    """Resource types LocalStack's CloudFormation has a provider for."""
    names = importlib.metadata.entry_points(group="localstack.cloudformation.resource_providers")
    return {entry.name.lower() for entry in names}


def placeholder_types(template):
    supported = provided_types()
    return sorted({r["Type"] for r in template["Resources"].values() if r["Type"].lower() not in supported})


def package():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def make_bucket(s3, bucket, region):
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def prefix_list(ec2, api, region):
    name = f"com.amazonaws.{region}.{api}"
    for entry in ec2.describe_prefix_lists()["PrefixLists"]:
        if entry.get("PrefixListName") == name:
            return entry["PrefixListId"]
    raise RuntimeError(f"no prefix list {name}")


def parameters(template, endpoint, region, account, bucket):
    """Values for the parameters that have no default, as a user gives
    them: a bucket holding a stub package for each function, and the
    region's prefix lists."""
    s3 = client("s3", endpoint, region, account)
    ec2 = client("ec2", endpoint, region, account)
    values = {}
    for name, definition in template.get("Parameters", {}).items():
        if "Default" in definition:
            continue
        if name == "FunctionPackagesBucket":
            values[name] = bucket
        elif name.endswith("PackageKey"):
            values[name] = f"packages/{name}.zip"
            s3.put_object(Bucket=bucket, Key=values[name], Body=package())
        elif name.endswith("ImageTag"):
            values[name] = "v1"
        elif name.endswith("PrefixListId"):
            values[name] = prefix_list(ec2, name[: -len("PrefixListId")].lower(), region)
        else:
            raise RuntimeError(f"no value known for parameter {name}")
    return values


class Deployment:
    """A stack created from a template in one account, and what it became."""

    def __init__(self, endpoint, region, account, stack):
        self.endpoint, self.region, self.account, self.stack = endpoint, region, account, stack
        self.status = None
        self.reason = None
        self.failures = []
        self.fallbacks = []
        self.physical = {}
        self.outputs = {}
        self.seconds = None

    def client(self, kind):
        return client(kind, self.endpoint, self.region, self.account)

    def create(self, template, bucket, timeout=600):
        started = time.monotonic()
        s3 = self.client("s3")
        body = json.dumps(template)
        given = parameters(template, self.endpoint, self.region, self.account, bucket)
        arguments = dict(
            StackName=self.stack,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        if len(body.encode()) > INLINE_LIMIT:
            key = f"templates/{self.stack}.json"
            s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
            arguments["TemplateURL"] = f"{self.endpoint}/{bucket}/{key}"
        else:
            arguments["TemplateBody"] = body
        cloudformation = self.client("cloudformation")
        cloudformation.create_stack(**arguments)
        self.wait(timeout)
        self.seconds = time.monotonic() - started
        return self.status == "CREATE_COMPLETE"

    def wait(self, timeout):
        cloudformation = self.client("cloudformation")
        deadline = time.monotonic() + timeout
        while True:
            stack = cloudformation.describe_stacks(StackName=self.stack)["Stacks"][0]
            self.status = stack["StackStatus"]
            self.reason = stack.get("StackStatusReason")
            if not self.status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        self.read_events()
        if self.status == "CREATE_COMPLETE":
            summaries = cloudformation.list_stack_resources(StackName=self.stack)["StackResourceSummaries"]
            self.physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in summaries}

    def read_events(self):
        cloudformation = self.client("cloudformation")
        events = []
        token = None
        while True:
            page = cloudformation.describe_stack_events(
                StackName=self.stack, **({"NextToken": token} if token else {})
            )
            events.extend(page["StackEvents"])
            token = page.get("NextToken")
            if not token:
                break
        self.events = events
        self.failures = [
            (e["LogicalResourceId"], e["ResourceType"], e.get("ResourceStatusReason") or "")
            for e in reversed(events)
            if e.get("ResourceStatus", "").endswith("FAILED") and e["ResourceType"] != "AWS::CloudFormation::Stack"
        ]
        self.fallbacks = sorted(
            {e["ResourceType"] for e in events if FALLBACK in (e.get("ResourceStatusReason") or "")}
        )

    def created_count(self):
        return len({e["LogicalResourceId"] for e in self.events
                    if e.get("ResourceStatus") == "CREATE_COMPLETE"
                    and e["ResourceType"] != "AWS::CloudFormation::Stack"})
