"""Deploys CloudFormation templates to moto's CloudFormation and reports.

    deploy.py TEMPLATE [TEMPLATE...]

Starts moto's server on 127.0.0.1 (a free port), then for each template:
creates the bucket of the Lambda packages and a package for every
`*PackageKey` parameter, fills the parameters that have no default, creates
the stack and waits for it. A stack that does not reach CREATE_COMPLETE fails
the run. For each template it lists the resource types moto's CloudFormation
does not implement: moto skips those silently (the stack still completes), so
they are not covered by this check.

Exit status 0 when every stack reached CREATE_COMPLETE, 1 otherwise.
"""

import io
import json
import re
import socket
import subprocess
import sys
import time
import zipfile

import boto3
from moto.cloudformation.parsing import get_model_map


LOG = "/tmp/moto-server.log"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=open(LOG, "w"),
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit("deploy: moto's server did not start")


def region_of(template):
    zones = template.get("Parameters", {}).get("AvailabilityZones", {}).get("Default")
    if zones:
        return zones.split(",")[0][:-1]
    return "us-east-1"


def package():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def client(kind, endpoint, region):
    return boto3.client(
        kind,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def prefix_list(ec2, api, region):
    name = f"com.amazonaws.{region}.{api}"
    for entry in ec2.describe_managed_prefix_lists()["PrefixLists"]:
        if entry.get("PrefixListName") == name:
            return entry["PrefixListId"]
    return "pl-0a1b2c3d"


def parameters(template, endpoint, region, stack):
    s3 = client("s3", endpoint, region)
    ec2 = client("ec2", endpoint, region)
    bucket = f"{stack}-packages"
    values = {}
    for name, definition in template.get("Parameters", {}).items():
        if "Default" in definition:
            # moto leaves the default of a list parameter a string, which
            # Fn::Select then indexes by character; given, it is split.
            if definition.get("Type") == "CommaDelimitedList":
                values[name] = definition["Default"]
            continue
        if name == "FunctionPackagesBucket":
            if region == "us-east-1":
                s3.create_bucket(Bucket=bucket)
            else:
                s3.create_bucket(
                    Bucket=bucket,
                    CreateBucketConfiguration={"LocationConstraint": region},
                )
            values[name] = bucket
        elif name.endswith("PackageKey"):
            values[name] = f"{name}.zip"
        elif name.endswith("ImageTag"):
            values[name] = "v1"
        elif name.endswith("PrefixListId"):
            api = name[: -len("PrefixListId")].lower()
            values[name] = prefix_list(ec2, api, region)
        else:
            sys.exit(f"deploy: no value known for parameter {name}")
    for name, value in values.items():
        if name.endswith("PackageKey"):
            s3.put_object(Bucket=bucket, Key=value, Body=package())
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def certificates(body, endpoint, region):
    """moto's load balancers accept only certificates its ACM holds: each
    certificate ARN of the template is replaced by one moto issued."""
    acm = client("acm", endpoint, region)
    for arn in sorted(set(re.findall(r'"(arn:aws:acm:[^"]+)"', body))):
        issued = acm.request_certificate(DomainName="example.com")["CertificateArn"]
        body = body.replace(arn, issued)
    return body


def deploy(path, endpoint, index):
    with open(path) as handle:
        body = handle.read()
    template = json.loads(body)
    region = region_of(template)
    body = certificates(body, endpoint, region)
    stack = f"meshc-{index}"
    cloudformation = client("cloudformation", endpoint, region)
    given = parameters(template, endpoint, region, stack)
    cloudformation.create_stack(
        StackName=stack,
        TemplateBody=body,
        Parameters=given,
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    status = "CREATE_IN_PROGRESS"
    for _ in range(600):
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        status = described["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            break
        time.sleep(0.1)
    created = cloudformation.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    supported = get_model_map()
    types = sorted({r["Type"] for r in template["Resources"].values()})
    skipped = [t for t in types if t not in supported]
    print(f"{path}: {status} in {region}; {len(template['Resources'])} resources, "
          f"{len(created)} listed by the stack")
    if skipped:
        print(f"  moto skips silently ({len(skipped)} types, not covered): {', '.join(skipped)}")
    if status != "CREATE_COMPLETE":
        reason = described.get("StackStatusReason", "")
        events = cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
        failed = [e for e in events if e.get("ResourceStatus", "").endswith("FAILED")]
        for event in failed[:5]:
            print(f"  {event['LogicalResourceId']}: {event.get('ResourceStatusReason', '')}")
        print(f"  {reason}")
        return False
    return True


def main():
    paths = sys.argv[1:]
    if not paths:
        sys.exit(__doc__)
    server, endpoint = start_server()
    try:
        results = []
        for index, path in enumerate(paths):
            try:
                results.append(deploy(path, endpoint, index))
            except Exception as error:  # a client error is a failed deployment
                print(f"{path}: FAILED: {error}")
                results.append(False)
    finally:
        server.terminate()
        server.wait()
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
