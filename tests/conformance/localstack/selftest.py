"""--selftest: broken copies of one example's output, each of which the
harness must fail on, so that a passing run means something.

* a rule whose event pattern drops one of the events it is declared to
  deliver (the delivery check must miss it at its consumer);
* a rule whose event pattern lost its `where` filter (the delivery check
  must find events at a consumer whose filter they do not satisfy);
* a state machine whose Catch skips a compensation (a saga path must
  differ from what `meshc simulate` prints);
* a README whose CloudFormation deploy command names a parameter the
  template does not have, instead of one it needs (the verbatim run on the
  closure must fail).
"""

import copy
import os
import time

import harness
import mesh
import readme


def first_rule(template, test):
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Events::Rule" and "EventPattern" in resource["Properties"]:
            if test(resource["Properties"]["EventPattern"]):
                return name
    return None


def drop_an_event(template):
    """The last alternative of an $or pattern, or the pattern's detail-type
    made one nobody publishes."""
    name = first_rule(template, lambda p: "$or" in p) or first_rule(template, lambda p: "detail-type" in p)
    pattern = template["Resources"][name]["Properties"]["EventPattern"]
    if "$or" in pattern:
        dropped = pattern["$or"].pop()
        if len(pattern["$or"]) == 1:
            template["Resources"][name]["Properties"]["EventPattern"] = pattern["$or"][0]
        return f"rule {name} no longer matches {dropped.get('detail-type')}"
    pattern["detail-type"] = [value + "-renamed" for value in pattern["detail-type"]]
    return f"rule {name} matches {pattern['detail-type']} instead"


def drop_a_filter(template):
    name = first_rule(template, lambda p: "detail" in p)
    if name is None:
        return None
    del template["Resources"][name]["Properties"]["EventPattern"]["detail"]
    return f"rule {name} lost its detail filter"


def skip_a_compensation(template):
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        definition = resource["Properties"]["Definition"]
        states = definition["States"]
        for state_name, state in states.items():
            for catch in state.get("Catch", []):
                target = states.get(catch["Next"], {})
                following = target.get("Next")
                if target.get("Type") == "Task" and following in states and states[following].get("Type") == "Task":
                    skipped = catch["Next"]
                    catch["Next"] = following
                    return f"{name}: the Catch of '{state_name}' goes to '{following}', skipping '{skipped}'"
    return None


def run(example, meshc, ls, work):
    results = []
    system = mesh.System(meshc, example.source)
    mutants = [
        ("a rule pattern that drops an event", drop_an_event, ("delivery",)),
        ("a rule pattern without its where filter", drop_a_filter, ("delivery",)),
        ("a definition whose Catch skips a compensation", skip_a_compensation, ("sagas",)),
    ]
    for index, (what, mutate, parts) in enumerate(mutants):
        broken = copy.deepcopy(example.template)
        how = mutate(broken)
        if how is None:
            print(f"selftest: {what}: no such place in {example.name}; not run")
            continue
        mutant = harness.Example.__new__(harness.Example)
        mutant.__dict__.update(example.__dict__)
        mutant.template = broken
        mutant.account = f"{800000000000 + index + 1:012d}"
        started = time.monotonic()
        report = []
        try:
            passed = harness.check_example(mutant, meshc, ls, report, parts)
        except Exception as error:  # noqa: BLE001 - a crash is a catch too, but say so
            passed, report = False, [{"problems": [f"crashed: {error}"]}]
        problems = report[-1]["problems"] if report else []
        caught = not passed and problems
        print(f"selftest: {what} ({how}): "
              + (f"caught ({time.monotonic() - started:.0f}s): {problems[0]}" if caught else "NOT CAUGHT"))
        results.append(bool(caught))
    # The README's deploy command with a parameter the template lacks.
    with open(os.path.join(harness.ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    broken_readme = text.replace("FunctionPackagesBucket=BUCKET", "PackagesBucket=BUCKET", 1)
    path = os.path.join(work, "README-broken.md")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(broken_readme)
    what = "a README deploy command naming PackagesBucket instead of FunctionPackagesBucket"
    if broken_readme == text:
        print(f"selftest: {what}: the README has no FunctionPackagesBucket=BUCKET; not run")
        results.append(False)
    else:
        check = readme.Check(path, example, ls, work, account_base=700000000000, region=system.region)
        check.only_closure = True
        passed = check.run()
        run4 = check.runs[-1] if check.runs else None
        verdict = run4.verdict if run4 else check.error
        print(f"selftest: {what}: " + ("NOT CAUGHT" if passed else f"caught: {verdict}"))
        results.append(not passed)
    print(f"selftest: {sum(results)} of {len(results)} broken copies caught")
    return [all(results)] if results else [False]
