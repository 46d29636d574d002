"""Deploys CloudFormation templates to moto's CloudFormation and reports.

    deploy.py TEMPLATE [TEMPLATE...]
    deploy.py --selftest TEMPLATE

Starts moto's server on 127.0.0.1 (a free port), with the resource types
moto_server.py adds, then for each template: creates the bucket of the
Lambda packages and a package for every `*PackageKey` parameter, fills the
parameters that have no default, creates the stack and waits for it. A stack
that does not reach CREATE_COMPLETE fails the run. For each template it lists
the resource types created through moto_server.py's additions, and the types
moto does not implement at all: moto skips those silently (the stack still
completes), so they are not covered by this check.

With --selftest, it deploys broken copies of one template (a role policy on
a role that does not exist, a network ACL entry numbered twice, a queue
policy on a queue that does not exist), each of which must fail: the check
can fail.

Exit status 0 when every stack reached CREATE_COMPLETE (or, with --selftest,
every broken copy failed), 1 otherwise.
"""

import io
import json
import re
import socket
import subprocess
import sys
import time
import zipfile

import os

import boto3
from moto.cloudformation.parsing import get_model_map

import moto_server


LOG = "/tmp/moto-server.log"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server():
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto_server.py"),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
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
        if name == "NamePrefix":
            # Names are unique per stack, so that the stacks of one server
            # (the selftest deploys one template several times) do not clash.
            values[name] = stack
            continue
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


def verify(template, resources, endpoint, region):
    """What the stack says it created, read back through the service APIs:
    the resources moto_server.py creates must be there. Returns the
    problems found."""
    ec2 = client("ec2", endpoint, region)
    iam = client("iam", endpoint, region)
    sqs = client("sqs", endpoint, region)
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") for r in resources}
    declared = template["Resources"]
    problems = []

    def of_type(kind):
        return [name for name, r in declared.items() if r["Type"] == kind]

    acls = [physical[name] for name in of_type("AWS::EC2::NetworkAcl")]
    if acls:
        entries = sum(
            1
            for acl in ec2.describe_network_acls(NetworkAclIds=acls)["NetworkAcls"]
            for entry in acl["Entries"]
            if entry["RuleNumber"] != 32767
        )
        expected = len(of_type("AWS::EC2::NetworkAclEntry"))
        if entries != expected:
            problems.append(f"{expected} network ACL entries declared, {entries} found")
    rules = [physical[name] for name in of_type("AWS::EC2::SecurityGroupEgress")]
    if rules:
        found = ec2.describe_security_group_rules(SecurityGroupRuleIds=rules)["SecurityGroupRules"]
        if len(found) != len(rules) or not all(rule["IsEgress"] for rule in found):
            problems.append(f"{len(rules)} egress rules declared, {len(found)} found")
    for name in of_type("AWS::IAM::RolePolicy"):
        role, policy = physical[name].split("|", 1)
        iam.get_role_policy(RoleName=role, PolicyName=policy)
    for name in of_type("AWS::SQS::QueuePolicy"):
        for queue in declared[name]["Properties"]["Queues"]:
            url = physical[queue["Ref"]]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
            if "Policy" not in attributes.get("Attributes", {}):
                problems.append(f"{name}: queue {url} has no policy")
    return problems


def mutants(template):
    """Broken copies of a template, each with what is wrong with it."""

    def first(kind):
        return next(name for name, r in template["Resources"].items() if r["Type"] == kind)

    broken = json.loads(json.dumps(template))
    broken["Resources"][first("AWS::IAM::RolePolicy")]["Properties"]["RoleName"] = "no-such-role"
    yield "a role policy on a role that does not exist", broken

    broken = json.loads(json.dumps(template))
    entry = first("AWS::EC2::NetworkAclEntry")
    broken["Resources"][entry + "Twin"] = broken["Resources"][entry]
    yield "a network ACL entry numbered twice", broken

    broken = json.loads(json.dumps(template))
    broken["Resources"][first("AWS::SQS::QueuePolicy")]["Properties"]["Queues"] = [
        "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"
    ]
    yield "a queue policy on a queue that does not exist", broken


def selftest(path, endpoint):
    with open(path) as handle:
        template = json.load(handle)
    results = []
    for index, (what, broken) in enumerate(mutants(template)):
        mutant = f"/tmp/meshc-deploy-mutant-{index}.json"
        with open(mutant, "w") as handle:
            json.dump(broken, handle)
        try:
            deployed = deploy(mutant, endpoint, f"mutant-{index}", quiet=True)
        except Exception as error:  # a refused request is a failed deployment
            reason = " ".join(str(error).split())[-220:]
            deployed = False
        else:
            reason = "the stack did not complete"
        print(f"selftest: {what}: {'NOT CAUGHT' if deployed else 'caught (' + reason + ')'}")
        results.append(not deployed)
    return results


def deploy(path, endpoint, index, quiet=False):
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
    added = set(moto_server.added_types())
    types = sorted({r["Type"] for r in template["Resources"].values()})
    skipped = [t for t in types if t not in supported]
    through_api = [t for t in types if t in added]
    print(f"{path}: {status} in {region}; {len(template['Resources'])} resources, "
          f"{len(created)} listed by the stack")
    problems = verify(template, created, endpoint, region) if status == "CREATE_COMPLETE" else []
    if quiet:
        return status == "CREATE_COMPLETE" and not problems
    for problem in problems:
        print(f"  not as declared: {problem}")
    if through_api:
        print(f"  created through moto's API by moto_server.py ({len(through_api)} types): "
              f"{', '.join(through_api)}")
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
    return not problems


def main():
    paths = sys.argv[1:]
    testing = paths[:1] == ["--selftest"]
    if testing:
        paths = paths[1:]
    if not paths or (testing and len(paths) != 1):
        sys.exit(__doc__)
    moto_server.patch()
    server, endpoint = start_server()
    try:
        results = []
        if testing:
            results = selftest(paths[0], endpoint)
            paths = []
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
