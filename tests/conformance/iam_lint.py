#!/usr/bin/env python3
"""Every IAM policy of a CloudFormation template, linted by parliament.

    iam_lint.py TEMPLATE [TEMPLATE...]
    iam_lint.py --selftest

parliament (PyPI, Duo Labs) knows every IAM action of AWS's service
authorization reference and the resource types each one takes. It reports
an action that does not exist, a resource ARN that no action of the
statement can take (RESOURCE_MISMATCH), malformed conditions and principals.

The template's intrinsic functions are resolved first, as CloudFormation
would for one deployment (us-east-1, account 123456789012, prefix `shop`):
`Ref` to a parameter's default or a resource's name, `Fn::GetAtt X.Arn` to
the ARN AWS gives a resource of that type, `Fn::Sub` and `Fn::Join`. So a
resource is checked with the ARN it would have, not with a placeholder.

Role policies (inline and in `AWS::IAM::RolePolicy`), trust policies,
queue, topic, bucket and key policies are all read. A finding is an error
unless ALLOWED names it, with the reason it does not apply. Exit status 0
when no finding is left, 1 otherwise.
"""

import json
import re
import sys

from parliament import UnknownActionException, analyze_policy_string, expand_action

REGION = "us-east-1"
ACCOUNT = "123456789012"
PREFIX = "shop"

# (issue, what the detail must contain, why it does not apply).
ALLOWED = [
    (
        "UNKNOWN_CONDITION_FOR_ACTION",
        "kms:EncryptionContext:aws:logs:arn for action kms:DescribeKey",
        "the key policy statement for CloudWatch Logs is the one AWS documents "
        "(CloudWatch Logs User Guide, \"Encrypt log data in CloudWatch Logs "
        "using AWS KMS\", step 2): Describe* under the same encryption-context "
        "condition as Encrypt*, Decrypt* and GenerateDataKey*",
    ),
    (
        "MISMATCHED_TYPE",
        "ArnLike requires a value of type Arn but given String",
        "the same documented statement compares the log group's ARN in the "
        "encryption context with ArnLike; parliament types every "
        "kms:EncryptionContext key as a string",
    ),
]

# A trust policy names who may assume the role: it has a Principal and no
# Resource, which parliament, written for identity policies, reports.
TRUST_POLICY_SHAPE = ("MALFORMED", "Statement contains neither Resource nor NotResource")
# In a key policy the resource "*" means the key itself and no other (AWS
# KMS Developer Guide, "Key policies"): no key policy can name its key.
KEY_POLICY_STAR = "RESOURCE_STAR"

# How AWS builds the ARN of each resource type the templates hold, from the
# resource's physical name (`{name}`) or its own id.
ARNS = {
    "AWS::SQS::Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "AWS::SNS::Topic": "arn:aws:sns:{region}:{account}:{name}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "AWS::Lambda::Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}:*",
    "AWS::Kinesis::Stream": "arn:aws:kinesis:{region}:{account}:stream/{name}",
    "AWS::Events::EventBus": "arn:aws:events:{region}:{account}:event-bus/{name}",
    "AWS::Events::Rule": "arn:aws:events:{region}:{account}:rule/{name}",
    "AWS::ECR::Repository": "arn:aws:ecr:{region}:{account}:repository/{name}",
    "AWS::KMS::Key": "arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::RDS::DBInstance": "arn:aws:rds:{region}:{account}:db:{name}",
    "AWS::IAM::Role": "arn:aws:iam::{account}:role/{name}",
    "AWS::ECS::Cluster": "arn:aws:ecs:{region}:{account}:cluster/{name}",
    "AWS::ECS::TaskDefinition": "arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
    "AWS::ECS::Service": "arn:aws:ecs:{region}:{account}:service/{name}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/0123456789abcdef",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/0123456789abcdef",
    "AWS::EventSchemas::Registry": "arn:aws:schemas:{region}:{account}:registry/{name}",
    "AWS::Signer::SigningProfile": "arn:aws:signer:{region}:{account}:/signing-profiles/{name}",
    "AWS::Lambda::CodeSigningConfig": "arn:aws:lambda:{region}:{account}:code-signing-config:csc-0123456789abcdef0",
    "AWS::WAFv2::WebACL": "arn:aws:wafv2:{region}:{account}:regional/webacl/{name}/0123",
}

# The property that holds each type's physical name.
NAME_PROPERTIES = (
    "QueueName", "TopicName", "TableName", "FunctionName", "StateMachineName",
    "LogGroupName", "Name", "EventBusName", "RepositoryName", "BucketName",
    "DBInstanceIdentifier", "RoleName", "ClusterName", "Family", "ServiceName",
    "RegistryName", "ProfileName",
)

PSEUDO = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": PREFIX,
    "AWS::NoValue": None,
}


class Resolver:
    def __init__(self, template):
        self.template = template
        self.resources = template.get("Resources", {})
        self.parameters = template.get("Parameters", {})
        self.mappings = template.get("Mappings", {})

    def name(self, logical):
        properties = self.resources[logical].get("Properties", {})
        for key in NAME_PROPERTIES:
            if key in properties:
                value = self.resolve(properties[key])
                if isinstance(value, str):
                    return value
        return f"{PREFIX}-{logical.lower()}"

    def ref(self, name):
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.parameters:
            parameter = self.parameters[name]
            if name == "NamePrefix":
                return PREFIX
            default = parameter.get("Default")
            if default is not None:
                return default
            return f"{name.lower()}-value"
        if name in self.resources:
            kind = self.resources[name]["Type"]
            # Ref of a queue is its URL, of a topic, state machine or secret
            # its ARN, of a key its id.
            if kind == "AWS::SQS::Queue":
                return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{self.name(name)}"
            if kind in (
                "AWS::SNS::Topic",
                "AWS::StepFunctions::StateMachine",
                "AWS::SecretsManager::Secret",
            ):
                return self.arn(name)
            if kind == "AWS::KMS::Key":
                return "1234abcd-12ab-34cd-56ef-1234567890ab"
            return self.name(name)
        raise KeyError(f"Ref to unknown {name}")

    def arn(self, logical):
        kind = self.resources[logical]["Type"]
        if kind not in ARNS:
            raise KeyError(f"no ARN form for {kind} ({logical})")
        return ARNS[kind].format(region=REGION, account=ACCOUNT, name=self.name(logical))

    def attribute(self, logical, attribute):
        if attribute == "Arn":
            return self.arn(logical)
        if attribute == "MasterUserSecret.SecretArn":
            return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-0123-AbCdEf"
        if attribute == "StreamArn":
            return self.arn(logical) + "/stream/2026-01-01T00:00:00.000"
        if attribute in ("QueueName", "TopicName", "Name"):
            return self.name(logical)
        if attribute == "QueueUrl":
            return self.ref(logical)
        if attribute == "KeyId":
            return "1234abcd-12ab-34cd-56ef-1234567890ab"
        if attribute == "GroupId":
            return "sg-0123456789abcdef0"
        return f"{logical}.{attribute}"

    def sub(self, text, variables):
        def replace(match):
            key = match.group(1)
            if key.startswith("!"):
                return "${" + key[1:] + "}"
            if key in variables:
                return str(self.resolve(variables[key]))
            if "." in key:
                logical, attribute = key.split(".", 1)
                return str(self.attribute(logical, attribute))
            return str(self.ref(key))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, value):
        if isinstance(value, list):
            return [item for item in (self.resolve(item) for item in value) if item is not None]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.attribute(logical, attribute)
            if key == "Fn::Sub":
                if isinstance(argument, list):
                    return self.sub(argument[0], argument[1])
                return self.sub(argument, {})
            if key == "Fn::Join":
                return argument[0].join(str(item) for item in self.resolve(argument[1]))
            if key == "Fn::FindInMap":
                mapping, top, second = (self.resolve(part) for part in argument)
                return self.mappings[mapping][top][second]
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::If":
                return self.resolve(argument[1])
        return {key: self.resolve(item) for key, item in value.items()}


def documents(template):
    """(where, document) for every policy document of the template."""
    resolver = Resolver(template)
    for logical, resource in template.get("Resources", {}).items():
        kind = resource["Type"]
        properties = resource.get("Properties", {})
        found = []
        if kind == "AWS::IAM::Role":
            found.append(("trust policy", properties.get("AssumeRolePolicyDocument")))
            for policy in properties.get("Policies", []):
                found.append((f"policy {policy.get('PolicyName')}", policy.get("PolicyDocument")))
        elif kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            found.append(("policy", properties.get("PolicyDocument")))
        elif kind in ("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::S3::BucketPolicy"):
            found.append(("resource policy", properties.get("PolicyDocument")))
        elif kind == "AWS::KMS::Key":
            found.append(("key policy", properties.get("KeyPolicy")))
        elif kind == "AWS::ECR::Repository" and "RepositoryPolicyText" in properties:
            found.append(("repository policy", properties["RepositoryPolicyText"]))
        for what, document in found:
            if document is not None:
                yield f"{logical} ({what})", resolver.resolve(document)


def written_by_hand(document, actions):
    """Whether every statement of a document that grants one of `actions` on
    `*` was written by hand in a service's `iam` (its Sid starts with
    `Written`): meshc shows each with its reason (M222), for review."""
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    starred = []
    for statement in statements:
        granted = statement.get("Action", [])
        granted = [granted] if isinstance(granted, str) else granted
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if "*" in resources and any(action in granted for action in actions):
            starred.append(statement)
    return bool(starred) and all(
        str(statement.get("Sid", "")).startswith("Written") for statement in starred
    )


def allowed(finding, where="", document=None):
    detail = json.dumps(finding.detail, default=str)
    if (
        finding.issue == "RESOURCE_STAR"
        and document is not None
        and isinstance(finding.detail, list)
        and written_by_hand(document, finding.detail)
    ):
        return True
    if where.endswith("(trust policy)") and (finding.issue, finding.detail) == TRUST_POLICY_SHAPE:
        return True
    if where.endswith("(key policy)") and finding.issue == KEY_POLICY_STAR:
        return True
    return any(issue == finding.issue and needle in detail for issue, needle, _ in ALLOWED)


def findings(template):
    """The number of policy documents of a template, and (where, finding)
    for each finding that is not allowed."""
    found = []
    checked = 0
    for where, document in documents(template):
        checked += 1
        analyzed = analyze_policy_string(
            json.dumps(document),
            include_community_auditors=False,
            ignore_private_auditors=True,
        )
        found.extend(
            (where, finding)
            for finding in analyzed.findings
            if not allowed(finding, where, document)
        )
    return checked, found


def lint(path):
    with open(path, encoding="utf-8") as file:
        template = json.load(file)
    checked, found = findings(template)
    problems = [
        f"{where}: {finding.issue} {json.dumps(finding.detail, default=str)}"
        for where, finding in found
    ]
    return checked, problems


def selftest():
    """parliament must catch an unknown action and a resource of the wrong
    type once the template is resolved."""
    template = {
        "Resources": {
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${NamePrefix}-jobs"}}},
            "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "orders"}},
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
                    },
                    "Policies": [{
                        "PolicyName": "bad",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "sqs:SendMesage", "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}},
                                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}},
                                # `*` is allowed only in a statement written by
                                # hand (Sid `Written...`), never in a derived one.
                                {"Sid": "Written0", "Effect": "Allow", "Action": "sns:Publish", "Resource": "*"},
                                {"Sid": "PublishesOrders1", "Effect": "Allow", "Action": "sqs:DeleteQueue", "Resource": "*"},
                            ],
                        },
                    }],
                },
            },
        },
        "Parameters": {"NamePrefix": {"Type": "String"}},
    }
    _, found = findings(template)
    problems = [finding.issue for _, finding in found]
    expected = {"UNKNOWN_ACTION", "RESOURCE_MISMATCH", "RESOURCE_STAR"}
    missing = expected - set(problems)
    if missing:
        print(f"iam selftest: parliament missed {sorted(missing)} (found {problems})")
        return 1
    starred = [
        json.dumps(finding.detail, default=str)
        for _, finding in found
        if finding.issue == "RESOURCE_STAR"
    ]
    if any("sns:Publish" in detail for detail in starred):
        print(f"iam selftest: a hand-written `*` statement was reported ({starred})")
        return 1
    print(f"iam selftest: parliament reports {sorted(set(problems))} on the broken policy")
    # The contract check reads the table and refuses an action AWS lacks.
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as contract:
        contract.write(
            "## What the code may call\n\n| relation | SDK calls allowed | on |\n|---|---|---|\n"
            "| `uses` a bucket | `s3:GetObject`, `GetObjekt` | its objects |\n\n"
            "## What AWS does for the system\n\n| role | calls allowed | on |\n|---|---|---|\n"
            "| a saga's state machine | `lambda:InvokeFunction` | each step's function |\n"
        )
    listed = contract_actions(contract.name)
    if listed != [
        ("`uses` a bucket", "s3:GetObject"),
        ("`uses` a bucket", "s3:GetObjekt"),
        ("a saga's state machine", "lambda:InvokeFunction"),
    ]:
        print(f"iam selftest: the contract table was read as {listed}")
        return 1
    if check_contract(contract.name) == 0:
        print("iam selftest: the contract check accepted s3:GetObjekt")
        return 1
    return 0


def contract_actions(path):
    """The IAM actions of the tables "What the code may call" and "What AWS
    does for the system" in docs/runtime.md, as (relation, action): a bare
    name inherits the service prefix of the action before it in its cell."""
    text = open(path, encoding="utf-8").read()
    lines = []
    for heading in ("## What the code may call", "## What AWS does for the system"):
        lines += text.split(heading, 1)[1].split("\n## ", 1)[0].splitlines()
    found = []
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("relation", "role", "---") or set(cells[0]) <= {"-"}:
            continue
        prefix = None
        for token in re.findall(r"`([^`]+)`", cells[1]):
            if ":" in token:
                prefix = token.split(":", 1)[0]
                found.append((cells[0], token))
            elif prefix and re.fullmatch(r"[A-Z][A-Za-z0-9]+", token):
                found.append((cells[0], f"{prefix}:{token}"))
    return found


def check_contract(path):
    """Every action the runtime contract lists is one AWS defines, by
    parliament's database of IAM actions (an independent source: AWS's
    service authorization reference)."""
    actions = contract_actions(path)
    unknown = []
    for relation, action in actions:
        try:
            expand_action(action)
        except UnknownActionException:
            unknown.append(f"{path}: {relation}: unknown action {action}")
    for problem in unknown:
        print(problem)
    print(f"iam: {path}: {len(actions)} actions of the runtime contract, {len(unknown)} unknown")
    return 1 if unknown or len(actions) < 20 else 0


def main(arguments):
    if arguments == ["--selftest"]:
        return selftest()
    if len(arguments) == 2 and arguments[0] == "--contract":
        return check_contract(arguments[1])
    if not arguments:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    status = 0
    for path in arguments:
        checked, problems = lint(path)
        for problem in problems:
            print(f"{path}: {problem}")
        print(f"iam: {path}: {checked} policy documents, {len(problems)} findings")
        if problems or checked == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
