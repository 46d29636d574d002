"""meshc's output run on LocalStack: see ./run and README.md beside this file.

    harness.py [--meshc BIN] [--readme README.md] DIR|FILE.mesh=DIR ...
    harness.py --selftest [--meshc BIN] DIR|FILE.mesh=DIR
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)

import cfn  # noqa: E402
import delivery  # noqa: E402
import emulator  # noqa: E402
import mesh  # noqa: E402
import readme  # noqa: E402
import sagas  # noqa: E402


class Example:
    """One build output directory and the source it was built from."""

    def __init__(self, argument, index):
        if "=" in argument:
            source, directory = argument.split("=", 1)
        else:
            directory = argument
            source = os.path.join(ROOT, "examples", os.path.basename(os.path.normpath(argument)) + ".mesh")
        self.source = os.path.abspath(source)
        self.directory = os.path.abspath(directory)
        self.name = os.path.splitext(os.path.basename(self.source))[0]
        self.account = f"{100000000000 + index:012d}"
        template_path = os.path.join(self.directory, "cloudformation", "template.json")
        if not os.path.isfile(self.source):
            raise SystemExit(f"localstack: no source {self.source} for {directory} (give FILE.mesh={directory})")
        if not os.path.isfile(template_path):
            raise SystemExit(f"localstack: no {template_path}")
        with open(template_path) as handle:
            self.template = json.load(handle)


def prefix_of(template):
    return template.get("Parameters", {}).get("NamePrefix", {}).get("Default", "meshc")


def deploy_closure(example, system, ls, template=None):
    """Deploys the messaging closure of an example's template in its own
    account; returns (deployment, closure, env, rewrites)."""
    template = template if template is not None else example.template
    expressions = delivery.environment_expressions(template)
    keys = {f"MeshcEnv{index}": name for index, name in enumerate(sorted(expressions))}
    closure = cfn.closure(template, {key: expressions[name] for key, name in keys.items()})
    rewrites = cfn.rewrite(closure)
    deployment = cfn.Deployment(ls.endpoint, system.region, example.account, example.name)
    bucket = f"{example.name}-{example.account}-packages"
    cfn.make_bucket(deployment.client("s3"), bucket, system.region)
    deployment.create(closure, bucket)
    env = {name: deployment.outputs[key] for key, name in keys.items() if key in deployment.outputs}
    return deployment, closure, env, rewrites


def check_example(example, meshc, ls, report, parts=("delivery", "sagas")):
    system = mesh.System(meshc, example.source)
    prefix = prefix_of(example.template)
    started = time.monotonic()
    deployment, closure, env, rewrites = deploy_closure(example, system, ls)
    entry = {
        "example": example.name,
        "region": system.region,
        "resources": f"{len(closure['Resources'])} of {len(example.template['Resources'])}",
        "placeholders": sorted(set(cfn.placeholder_types(closure)) | set(deployment.fallbacks)),
        "rewrites": rewrites,
        "deploy": f"{deployment.status} in {deployment.seconds:.1f}s",
        "checks": [],
        "problems": [],
    }
    report.append(entry)
    if deployment.status != "CREATE_COMPLETE":
        entry["problems"].append(f"the closure did not deploy: {deployment.status} {deployment.reason or ''}")
        for logical, kind, reason in deployment.failures[:5]:
            entry["problems"].append(f"  {logical} ({kind}): {reason}")
        entry["seconds"] = time.monotonic() - started
        return False
    ok = True
    if "delivery" in parts:
        check = delivery.Check(system, closure, deployment, ls, prefix, example.template)
        if not check.run(env):
            ok = False
        entry["checks"].extend(check.lines)
        entry["problems"].extend(check.problems)
        entry["published"] = check.published
        entry["saga_messages"] = check.saga_messages
    for saga in system.orchestrated() if "sagas" in parts else []:
        paths = sagas.Check(system, saga, closure, deployment, ls, prefix)
        if not paths.run():
            ok = False
        entry["checks"].extend(paths.lines)
        entry["problems"].extend(paths.problems)
    entry["seconds"] = time.monotonic() - started
    return ok and not entry["problems"]


def print_entry(entry):
    print(f"\n== {entry['example']} ({entry['region']}): {entry['seconds']:.1f}s")
    print(f"  deployed: the messaging closure, {entry['resources']} resources, {entry['deploy']}")
    if entry["placeholders"]:
        print(f"  LocalStack created placeholders for (not covered): {', '.join(entry['placeholders'])}")
    for what, names in entry["rewrites"]:
        print(f"  rewritten for LocalStack: {what} ({', '.join(names)})")
    for line in entry["checks"]:
        print(f"  ok: {line}" if not line.startswith("FAILED") else f"  {line}")
    if "published" in entry:
        print(f"  published {entry['published']} documents; saga task traffic counted apart: {entry['saga_messages']}")
    for problem in entry["problems"]:
        print(f"  FAILED: {problem}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--selftest", action="store_true")
    parser.add_argument("--meshc", default=os.path.join(ROOT, "target", "release", "meshc"))
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("outputs", nargs="+")
    args = parser.parse_args()
    if not os.access(args.meshc, os.X_OK):
        raise SystemExit(f"localstack: no meshc at {args.meshc} (cargo build --release, or --meshc BIN)")
    examples = [Example(argument, index + 1) for index, argument in enumerate(args.outputs)]
    if args.selftest and len(examples) != 1:
        raise SystemExit("localstack: --selftest takes one output directory")
    work = tempfile.mkdtemp(prefix="meshc-localstack-")
    ls = emulator.LocalStack(work)
    started = time.monotonic()
    ls.start()
    print(f"localstack: started on {ls.endpoint} (loopback only) in {ls.startup_seconds:.1f}s; log {ls.log_path}")
    results = []
    try:
        if args.selftest:
            import selftest
            results = selftest.run(examples[0], args.meshc, ls, work)
        else:
            shop = next((e for e in examples if e.name == "shop"), None)
            if shop is not None:
                t = time.monotonic()
                region = mesh.System(args.meshc, shop.source).region
                verbatim = readme.Check(args.readme, shop, ls, work, account_base=900000000000, region=region)
                results.append(verbatim.run())
                verbatim.print()
                print(f"  ({time.monotonic() - t:.1f}s)")
            else:
                print("localstack: no shop output given; the README's deploy commands were not run")
            report = []
            for example in examples:
                try:
                    results.append(check_example(example, args.meshc, ls, report))
                except Exception:  # noqa: BLE001 - a crash is a failed check
                    traceback.print_exc()
                    report.append({"example": example.name, "region": "?", "seconds": 0, "resources": "?",
                                   "deploy": "?", "placeholders": [], "rewrites": [], "checks": [],
                                   "problems": ["the harness crashed (above)"]})
                    results.append(False)
                print_entry(report[-1])
    finally:
        ls.stop()
        if not args.keep and all(results) and results:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"localstack: work directory kept: {work}")
    passed = sum(1 for r in results if r)
    print(f"\nlocalstack: start-up {ls.startup_seconds:.1f}s, whole run {time.monotonic() - started:.1f}s")
    print(f"localstack: {passed} passed, {len(results) - passed} failed")
    sys.exit(0 if results and all(results) else 1)


if __name__ == "__main__":
    main()
