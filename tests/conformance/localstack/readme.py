"""The README's CloudFormation deploy commands, run verbatim.

The shell block of the README's "Deploying" section that deploys with
CloudFormation is read from the README itself and run by bash, command by
command, in a directory holding `out/cloudformation/template.json` (the
shop's template) and `build/inventory.zip`, `build/notification.zip`
(stub packages), with awscli from the harness's virtualenv on PATH and
AWS_ENDPOINT_URL pointing at LocalStack. What is not run as written:

* `BUCKET` is replaced by the name of a bucket the harness created first
  ("a bucket of yours").
* A command whose comment says `# and NAME` (the first `aws s3 cp`) is also
  run for NAME, as the comment asks.
* The comment `# push the images as above, then:` refers to `docker` lines
  of the Terraform block; there is no Docker daemon here, so no image is
  pushed. The `repo=...` line before it runs as written.

The block runs four times, each in an account of its own:

1. on the template as meshc emitted it;
2. on the template with the harness's rewrites for LocalStack (cfn.REWRITES);
3. on that, with each `Fn::GetAtt <VPCEndpoint>.DnsEntries` replaced by a
   literal list (LocalStack refuses Fn::Select over it before deploying);
4. on the messaging closure of the template (with the rewrites).

Runs 1 to 3 deploy the full template; each must either succeed or stop at
exactly the LocalStack gap listed for it in KNOWN_GAPS (anything else, such
as an awscli usage error, a parameter the template lacks or a resource that
fails for another reason, fails the check). Run 4 must run every command
successfully; its last command may only say that there is nothing to
change, because the closure holds no resource that reads the parameters it
changes (checked).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import cfn

MARK = "::meshc-command"

def paths_where(template, test):
    """JSON paths (resource/property/...) of the values a test accepts."""
    found = []

    def walk(value, path):
        if test(value):
            found.append(path)
        elif isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}/{key}")
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(inner, f"{path}[{index}]")

    for section in ("Resources", "Outputs"):
        for name, value in template.get(section, {}).items():
            walk(value, name if section == "Resources" else f"Outputs/{name}")
    return found


def is_null(value):
    return value is None


def is_select_over_dns_entries(value):
    return (isinstance(value, dict) and isinstance(value.get("Fn::Select"), list)
            and len(value["Fn::Select"]) == 2 and isinstance(value["Fn::Select"][1], dict)
            and value["Fn::Select"][1].get("Fn::GetAtt", [None, None])[1:] == ["DnsEntries"])


LOCATE = {
    "null in a property": is_null,
    "Fn::Select over DnsEntries": is_select_over_dns_entries,
}

# Where LocalStack stops on the full template: (name, pattern in awscli's
# output or in the reason of a failed resource, what it is).
KNOWN_GAPS = [
    ("null in a property",
     r"CreateChangeSet operation.*Unsupported type <class 'NoneType'>",
     "LocalStack's change-set model has no case for a JSON null in a resource's properties, "
     "and the state machine's Definition holds \"ResultPath\": null (valid ASL: keep the input)"),
    ("Fn::Select over DnsEntries",
     r"CreateChangeSet operation: Template error: Fn::Select requires a list argument",
     "LocalStack validates Fn::Select before deploying and does not know that "
     "Fn::GetAtt <VPCEndpoint>.DnsEntries is a list (AWS documents this very use)"),
    ("EIP placeholder",
     r"InvalidAllocationID\.NotFound.*unknown",
     "LocalStack's CloudFormation has no AWS::EC2::EIP: its placeholder's AllocationId is 'unknown', "
     "so CreateNatGateway fails"),
]


def deploying_block(readme_path):
    with open(readme_path, encoding="utf-8") as handle:
        text = handle.read()
    section = re.search(r"^## Deploying\n(.*?)(?=^## )", text, re.M | re.S)
    if not section:
        raise ValueError("the README has no 'Deploying' section")
    blocks = re.findall(r"^```sh\n(.*?)^```", section.group(1), re.M | re.S)
    chosen = [block for block in blocks if "aws cloudformation deploy" in block]
    if len(chosen) != 1:
        raise ValueError(f"expected one sh block deploying with CloudFormation in 'Deploying', found {len(chosen)}")
    return chosen[0]


def commands(block):
    """Logical commands (continuation lines joined), comments apart."""
    found, current = [], []
    for line in block.splitlines():
        current.append(line)
        if line.rstrip().endswith("\\"):
            continue
        found.append("\n".join(current))
        current = []
    if current:
        found.append("\n".join(current))
    return [command for command in found if command.strip()]


def script(block, bucket):
    """The bash script run, and the listing that says what was changed."""
    lines = ["set -uo pipefail"]
    listing = []
    for index, command in enumerate(commands(block)):
        if command.lstrip().startswith("#"):
            listing.append(("comment, not run", command))
            lines.append(command)
            continue
        runs = [command]
        substituted = re.sub(r"\bBUCKET\b", bucket, command)
        kind = "verbatim" if substituted == command else "verbatim but BUCKET"
        runs = [substituted]
        also = re.search(r"#\s*and\s+(\S+)\s*$", command)
        if also and command.lstrip().startswith("aws s3 cp"):
            name = also.group(1)
            first = re.search(r"build/(\S+?\.zip)", command).group(1)
            added = re.sub(r"#.*$", "", substituted).rstrip().replace(first, name)
            runs.append(added)
        listing.append((kind, substituted))
        if len(runs) > 1:
            listing.append(("added, as its comment asks", runs[1]))
        for run in runs:
            lines.append(run)
            lines.append(f'__status=$?; echo "{MARK} {index} $__status" >&2; '
                         f'[ "$__status" -eq 0 ] || exit "$__status"')
    return "\n".join(lines) + "\n", listing


def dns_entries_literal(template):
    def replace(value):
        if isinstance(value, dict):
            if value.get("Fn::GetAtt", [None, None])[1:] == ["DnsEntries"]:
                return ["Z00000000000000:vpce-0-0.vpce-svc-0.us-east-1.vpce.amazonaws.com"]
            return {key: replace(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [replace(inner) for inner in value]
        return value
    template["Resources"] = replace(template["Resources"])
    if "Outputs" in template:
        template["Outputs"] = replace(template["Outputs"])
    return template


def uses_parameters(template, names):
    text = json.dumps(template["Resources"])
    return sorted(name for name in names if re.search(r'"Ref": "%s"|\$\{%s\}' % (name, name), text))


class Run:
    def __init__(self, what, template, must_complete):
        self.what, self.template, self.must_complete = what, template, must_complete
        self.status = self.output = self.stack = None
        self.failures = []
        self.created = 0
        self.seconds = 0.0
        self.verdict = None
        self.ok = False


class Check:
    def __init__(self, readme_path, example, emulator, work, account_base, region="us-east-1"):
        self.readme_path, self.example, self.emulator = readme_path, example, emulator
        self.work, self.account_base, self.region = work, account_base, region
        self.runs = []
        self.listing = []
        self.error = None
        # The self-test runs only the closure.
        self.only_closure = False

    def run(self):
        try:
            block = deploying_block(self.readme_path)
        except ValueError as error:
            self.error = str(error)
            return False
        emitted = self.example.template
        rewritten = json.loads(json.dumps(emitted))
        cfn.rewrite(rewritten)
        literal = dns_entries_literal(json.loads(json.dumps(rewritten)))
        closure = cfn.closure(emitted)
        cfn.rewrite(closure)
        self.runs = [
            Run("the full template as meshc emitted it", emitted, False),
            Run("the full template with the harness's rewrites", rewritten, False),
            Run("the full template with the rewrites and DnsEntries as a literal", literal, False),
            Run("the messaging closure of the template (with the rewrites)", closure, True),
        ]
        if self.only_closure:
            self.runs = self.runs[-1:]
        for index, run in enumerate(self.runs):
            started = time.monotonic()
            self.execute(block, run, f"{self.account_base + index + 1:012d}", index)
            run.seconds = time.monotonic() - started
        return all(run.ok for run in self.runs)

    def execute(self, block, run, account, index):
        directory = os.path.join(self.work, f"readme-{index + 1}")
        os.makedirs(os.path.join(directory, "out", "cloudformation"), exist_ok=True)
        os.makedirs(os.path.join(directory, "build"), exist_ok=True)
        with open(os.path.join(directory, "out", "cloudformation", "template.json"), "w") as handle:
            json.dump(run.template, handle)
        for name in ("inventory", "notification"):
            with open(os.path.join(directory, "build", f"{name}.zip"), "wb") as handle:
                handle.write(cfn.package())
        bucket = f"readme-{account}"
        s3 = cfn.client("s3", self.emulator.endpoint, self.region, account)
        cfn.make_bucket(s3, bucket, self.region)
        text, self.listing = script(block, bucket)
        with open(os.path.join(directory, "deploy.sh"), "w") as handle:
            handle.write(text)
        env = dict(os.environ)
        env.update(
            PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
            AWS_ENDPOINT_URL=self.emulator.endpoint,
            AWS_ACCESS_KEY_ID=account,
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DEFAULT_REGION=self.region,
            AWS_MAX_ATTEMPTS="1",
            AWS_PAGER="",
        )
        env.pop("AWS_PROFILE", None)
        done = subprocess.run(["bash", "deploy.sh"], cwd=directory, env=env, capture_output=True,
                              text=True, timeout=900)
        run.output = done.stdout + done.stderr
        statuses = [(int(i), int(s)) for i, s in re.findall(MARK + r" (\d+) (\d+)", done.stderr)]
        run.returncode = done.returncode
        deploying = Deployment(self.emulator.endpoint, self.region, account, "shop")
        try:
            deploying.wait(5)
            run.status = deploying.status
            run.failures = deploying.failures
            run.created = deploying.created_count()
        except Exception:  # noqa: BLE001 - no stack was created
            run.status = "no stack"
        failed = [(i, s) for i, s in statuses if s != 0]
        if run.must_complete:
            last = max((i for i, _ in statuses), default=-1)
            nothing_to_change = "No changes to deploy" in run.output
            final = commands(block)[last] if last >= 0 else ""
            changed = ["OrderImageTag", "PaymentImageTag", "DeletionProtection"]
            if not failed and done.returncode == 0:
                run.ok, run.verdict = True, f"every command succeeded; stack {run.status}"
            elif (failed == [(last, 255)] and nothing_to_change and "cloudformation deploy" in final
                  and last == len(commands(block)) - 1 and not uses_parameters(run.template, changed)):
                run.ok = run.status == "CREATE_COMPLETE"
                run.verdict = (f"every command succeeded; the second deploy had nothing to change "
                               f"(no resource of the closure reads {', '.join(changed)}); stack {run.status}")
            else:
                said = [line for line in run.output.splitlines() if re.search(r"error|Error|Failed", line)]
                command = commands(block)[failed[0][0]].splitlines()[0] if failed else "?"
                run.verdict = (f"`{command}` exited {failed[0][1] if failed else done.returncode}"
                               + (f": {said[-1].strip()}" if said else ""))
            return
        if not failed and done.returncode == 0:
            run.ok, run.verdict = True, f"LocalStack deployed it: stack {run.status} (no known gap was hit)"
            return
        evidence = run.output + "\n" + "\n".join(reason for _, _, reason in run.failures)
        for name, pattern, why in KNOWN_GAPS:
            if re.search(pattern, evidence, re.S):
                unexplained = [
                    (logical, kind, reason) for logical, kind, reason in run.failures
                    if reason and not any(re.search(p, reason, re.S) for _, p, _ in KNOWN_GAPS)
                ]
                if unexplained:
                    run.verdict = f"stopped at '{name}', and also: {unexplained}"
                    return
                resources = [f"{logical} ({kind})" for logical, kind, reason in run.failures if reason]
                where = (f" at {', '.join(resources)}, after creating {run.created} resources"
                         if resources else ", before creating anything")
                if name in LOCATE:
                    where += " (" + "; ".join(paths_where(run.template, LOCATE[name])) + ")"
                run.ok, run.verdict = True, f"stopped at the known LocalStack gap '{name}'{where}: {why}"
                return
        run.verdict = "failed, not at a known LocalStack gap"

    def print(self):
        print("\n== the README's CloudFormation deploy commands (Deploying), on the shop")
        if self.error:
            print(f"  FAILED: {self.error}")
            return
        for kind, command in self.listing:
            first, *rest = command.splitlines()
            print(f"  [{kind}] {first}" + (" ..." if rest else ""))
        if not self.only_closure:
            print(f"  placeholders LocalStack creates for the full template (not covered): "
                  f"{', '.join(cfn.placeholder_types(self.example.template))}")
        for index, run in enumerate(self.runs):
            mark = "ok" if run.ok else "FAILED"
            print(f"  {mark}: run {index + 1} ({run.seconds:.1f}s), {run.what}: {run.verdict}")
            if not run.ok:
                for line in run.output.strip().splitlines()[-12:]:
                    print(f"      | {line}")
                for logical, kind, reason in run.failures[:6]:
                    print(f"      {logical} ({kind}): {reason}")


class Deployment(cfn.Deployment):
    pass
