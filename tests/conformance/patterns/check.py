#!/usr/bin/env python3
"""Judge meshc's event patterns and SNS filter policies with moto.

Reads the cases that tests/patterns.rs derives from the `where` clauses of
the examples and test inputs (cases.json beside this file): for each, the
EventBridge event pattern or SNS filter policy meshc generates, and probe
events with the verdict the clause gives them (computed in Rust from the
clause, never from the pattern). Each probe goes through moto's own matcher
and the two verdicts are compared:

* EventBridge, through the public API: PutRule with the pattern on a custom
  bus, an SQS queue as its target, PutEvents with the probe's source,
  detail-type and detail; the probe matched when the queue received it.
  (moto's TestEventPattern is not implemented.)
* SNS, through the public API: Subscribe an SQS queue with FilterPolicyScope
  `MessageBody` and the filter policy (moto validates it as SNS would), then
  Publish the probe as the message body; moto's FilterPolicyMatcher decides
  whether the queue receives it.

Before that, every EventBridge pattern is checked against the pattern
grammar of AWS's event-ruler (the engine behind EventBridge), which moto
does not enforce: `numeric` ranges lower bound first, `anything-but` only on
strings or numbers of one type, and so on.

Where moto is known to differ from AWS, a disagreement is explained by an
entry of DEVIATIONS (each documented in ../README.md) and reported as such,
not hidden. A disagreement in a case that meshc itself calls not
expressible is reported as such too (a meshc check reports the clause).
Anything else fails.

    check.py [CASES_JSON] [--verbose]

Exit status 0 when every probe agrees or is explained, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent

# moto needs credentials and a region; these are fakes, and setting them
# here keeps any real ones out of reach of the mock.
for name, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402
import moto  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from moto import mock_aws  # noqa: E402

Verdict = Any  # True, False, or an error message (str)

# --------------------------------------------------------------------------
# The pattern grammar of event-ruler (AWS's JsonRuleCompiler), for what moto
# accepts but AWS refuses.

NUMERIC_OPERATORS = {"=", "<", "<=", ">", ">="}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_problems(terms: Any) -> list[str]:
    if not isinstance(terms, list) or not terms:
        return ["Value of numeric must be an array."]
    if not isinstance(terms[0], str) or terms[0] not in NUMERIC_OPERATORS:
        return [f"Unrecognized numeric range operator: {terms[0]!r}"]
    operator = terms[0]
    if len(terms) < 2 or not is_number(terms[1]):
        return [f"Value of {operator} must be numeric"]
    if len(terms) == 2:
        return []
    if operator not in (">", ">="):
        return ["Too many elements in numeric expression"]
    upper = terms[2]
    if upper not in ("<", "<="):
        return [f"Bad numeric range operator: {upper!r}"]
    if len(terms) < 4 or not is_number(terms[3]):
        return [f"Value of {upper} must be numeric"]
    if len(terms) > 4:
        return ["Too many terms in numeric range expression"]
    if not terms[1] < terms[3]:
        return ["Bottom must be less than top"]
    return []


def anything_but_problems(operand: Any) -> list[str]:
    if isinstance(operand, dict):
        if len(operand) != 1:
            return ["Anything-But expression name not found"]
        (name, value), = operand.items()
        if name not in ("prefix", "suffix", "equals-ignore-case", "wildcard"):
            return [f"Unsupported anything-but pattern: {name}"]
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            return [f"anything-but/{name} must be a string or a list of strings"]
        if name in ("prefix", "suffix") and any(v == "" for v in values):
            return ["Null prefix/suffix not allowed"]
        return []
    if isinstance(operand, list):
        if any(isinstance(v, bool) or v is None or isinstance(v, (list, dict)) for v in operand):
            return ["Inside anything but list, start|null|boolean is not supported."]
        strings = any(isinstance(v, str) for v in operand)
        numbers = any(is_number(v) for v in operand)
        if strings == numbers:
            return ["Inside anything but list, either all values are number or string, "
                    "mixed type is not supported"]
        return []
    if isinstance(operand, str) or is_number(operand):
        return []
    return ["Value of anything-but must be an array or single string/number value."]


def matcher_problems(matcher: dict[str, Any]) -> list[str]:
    if len(matcher) != 1:
        return ["Only one key allowed in match expression"]
    (name, operand), = matcher.items()
    if name in ("prefix", "suffix"):
        if isinstance(operand, dict):
            ok = list(operand) == ["equals-ignore-case"] and isinstance(
                operand["equals-ignore-case"], str)
            return [] if ok else [f"Unsupported {name} pattern"]
        return [] if isinstance(operand, str) else [f"{name} match pattern must be a string"]
    if name in ("equals-ignore-case", "wildcard", "cidr"):
        return [] if isinstance(operand, str) else [f"{name} match pattern must be a string"]
    if name == "exists":
        return [] if isinstance(operand, bool) else [
            "exists match pattern must be either true or false."]
    if name == "numeric":
        return numeric_problems(operand)
    if name == "anything-but":
        return anything_but_problems(operand)
    return [f"Unrecognized match type {name}"]


def eventbridge_grammar(pattern: Any, path: str = "") -> list[str]:
    """What event-ruler's JsonRuleCompiler would refuse in a pattern."""
    if not isinstance(pattern, dict):
        return [f"{path or 'pattern'}: Filter is not an object"]
    if not pattern:
        return [f"{path or 'pattern'}: Empty objects are not allowed"]
    problems = []
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else key
        if key == "$or":
            if not isinstance(value, list) or len(value) < 2 or not all(
                    isinstance(branch, dict) for branch in value):
                problems.append(f"{where}: There must have at least 2 Objects in $or relationship.")
                continue
            for index, branch in enumerate(value):
                problems.extend(eventbridge_grammar(branch, f"{where}[{index}]"))
        elif isinstance(value, dict):
            problems.extend(eventbridge_grammar(value, where))
        elif isinstance(value, list):
            if not value:
                problems.append(f"{where}: Empty arrays are not allowed")
            for element in value:
                if isinstance(element, dict):
                    problems.extend(f"{where}: {p}" for p in matcher_problems(element))
                elif not (isinstance(element, (str, bool)) or element is None or is_number(element)):
                    problems.append(f"{where}: Match value must be String, number, true, false, or null")
        else:
            problems.append(f'{where}: "{key}" must be an object or an array')
    return problems


# --------------------------------------------------------------------------
# Paths of a pattern, and what an event holds along them (for DEVIATIONS).


def pattern_leaves(pattern: dict[str, Any], prefix: tuple[str, ...] = ()):
    """(path, matchers) for every field of a pattern; `$or` branches included."""
    for key, value in pattern.items():
        if key == "$or" and isinstance(value, list):
            for branch in value:
                yield from pattern_leaves(branch, prefix)
        elif isinstance(value, dict):
            yield from pattern_leaves(value, prefix + (key,))
        elif isinstance(value, list):
            yield prefix + (key,), value


MISSING = object()


def walk(document: Any, path: tuple[str, ...]):
    """What a path meets: (crossed an array of objects, value or MISSING,
    a parent object was missing)."""
    crossed = False
    current = document
    for index, segment in enumerate(path):
        if isinstance(current, list):
            crossed = True
            current = next((item for item in current if isinstance(item, dict)), MISSING)
        if not isinstance(current, dict):
            return crossed, MISSING, True
        if segment not in current:
            return crossed, MISSING, index < len(path) - 1
        current = current[segment]
    return crossed, current, False


def operators(matchers: list[Any]) -> set[str]:
    return {next(iter(m)) for m in matchers if isinstance(m, dict) and m}


# --------------------------------------------------------------------------
# Where moto differs from AWS. Each entry is documented, with moto's source
# and AWS's documentation, in tests/conformance/README.md.


@dataclass
class Deviation:
    id: str
    service: str
    summary: str
    applies: Callable[[dict[str, Any], dict[str, Any], Verdict], bool]
    # When moto cannot judge the probes a deviation applies to at all, they
    # are set aside whether moto agrees or not (an agreement would be luck).
    judges: bool = True
    hits: int = 0


def eb_crosses_object_array(case: dict[str, Any], probe: dict[str, Any], _: Verdict) -> bool:
    event = probe["event"]
    return any(walk(event, path)[0] for path, _ in pattern_leaves(case["pattern"]))


def sns_anything_but_on_array(case: dict[str, Any], probe: dict[str, Any], _: Verdict) -> bool:
    """An array, empty or holding a listed value, under anything-but: where
    moto's "no element is listed" and SNS's "some element is not" differ."""
    for path, matchers in pattern_leaves(case["pattern"]):
        for matcher in matchers:
            if not (isinstance(matcher, dict) and "anything-but" in matcher):
                continue
            listed = matcher["anything-but"]
            listed = listed if isinstance(listed, list) else [listed]
            _, value, _ = walk(probe["event"], path)
            if isinstance(value, list) and (not value or any(v in listed for v in value)):
                return True
    return False


def sns_wrong_type_crash(case: dict[str, Any], probe: dict[str, Any], verdict: Verdict) -> bool:
    if verdict in (True, False):
        return False
    for path, matchers in pattern_leaves(case["pattern"]):
        ops = operators(matchers)
        _, value, _ = walk(probe["event"], path)
        if value is MISSING:
            continue
        values = value if isinstance(value, list) else [value]
        if "numeric" in ops and not all(is_number(v) for v in values):
            return True
        if ops & {"prefix", "suffix"} and not all(isinstance(v, str) for v in values):
            return True
    return False


def sns_missing_parent(case: dict[str, Any], probe: dict[str, Any], _: Verdict) -> bool:
    for path, matchers in pattern_leaves(case["pattern"]):
        if len(path) > 1 and {"exists": False} in matchers:
            _, value, parent_missing = walk(probe["event"], path)
            if value is MISSING and parent_missing:
                return True
    return False


DEVIATIONS = [
    Deviation(
        "moto-eventbridge-object-arrays", "eventbridge",
        "moto flattens nested objects but not arrays of objects: a pattern on "
        "items.productId never sees the values inside items, so moto cannot judge it",
        eb_crosses_object_array, judges=False),
    Deviation(
        "moto-sns-anything-but-arrays", "sns",
        "moto's anything-but takes an array only when no element is listed (so it "
        "takes an empty array); SNS takes it when some element is not listed",
        sns_anything_but_on_array),
    Deviation(
        "moto-sns-type-errors", "sns",
        "moto raises (TypeError, AttributeError) on numeric, prefix or suffix "
        "matchers applied to a value of another type; SNS does not match the message",
        sns_wrong_type_crash),
    Deviation(
        "moto-sns-exists-false-missing-parent", "sns",
        "moto refuses a message whose object on the way to an "
        "\"exists\": false leaf is missing; the leaf is absent, so SNS matches",
        sns_missing_parent),
]

# --------------------------------------------------------------------------
# moto.


@dataclass
class Moto:
    events: Any
    sqs: Any
    sns: Any
    bus: str = "patterns"
    queue_url: str = ""
    queue_arn: str = ""
    topic_arn: str = ""
    serial: int = field(default=0)

    @classmethod
    def start(cls) -> "Moto":
        config = Config(region_name="us-east-1", retries={"max_attempts": 1, "mode": "standard"})
        moto_ = cls(boto3.client("events", config=config), boto3.client("sqs", config=config),
                    boto3.client("sns", config=config))
        moto_.events.create_event_bus(Name=moto_.bus)
        moto_.queue_url = moto_.sqs.create_queue(QueueName="probes")["QueueUrl"]
        moto_.queue_arn = moto_.sqs.get_queue_attributes(
            QueueUrl=moto_.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        moto_.topic_arn = moto_.sns.create_topic(Name="patterns")["TopicArn"]
        return moto_

    def drain(self) -> list[str]:
        bodies = []
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])

    def eventbridge(self, case: dict[str, Any]) -> list[Verdict]:
        self.serial += 1
        rule = f"case-{self.serial}"
        try:
            self.events.put_rule(Name=rule, EventBusName=self.bus,
                                 EventPattern=json.dumps(case["pattern"]))
        except ClientError as error:
            return [f"moto refused the pattern: {error}"] * len(case["probes"])
        self.events.put_targets(Rule=rule, EventBusName=self.bus,
                                Targets=[{"Id": "probes", "Arn": self.queue_arn}])
        verdicts: list[Verdict] = []
        for probe in case["probes"]:
            event = probe["event"]
            self.drain()
            try:
                response = self.events.put_events(Entries=[{
                    "EventBusName": self.bus,
                    "Source": event["source"],
                    "DetailType": event["detail-type"],
                    "Detail": json.dumps(event["detail"]),
                    "Resources": event["resources"],
                }])
            except Exception as error:  # moto raised while matching
                verdicts.append(f"moto failed: {type(error).__name__}: {error}")
                continue
            if response.get("FailedEntryCount"):
                verdicts.append(f"moto refused the event: {response['Entries']}")
                continue
            delivered = [json.loads(body) for body in self.drain()]
            verdicts.append(any(
                body.get("detail") == event["detail"]
                and body.get("detail-type") == event["detail-type"]
                and body.get("source") == event["source"]
                for body in delivered))
        self.events.remove_targets(Rule=rule, EventBusName=self.bus, Ids=["probes"])
        self.events.delete_rule(Name=rule, EventBusName=self.bus)
        return verdicts

    def sns_(self, case: dict[str, Any]) -> list[Verdict]:
        subscription = self.sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs",
                                          Endpoint=self.queue_arn,
                                          ReturnSubscriptionArn=True)["SubscriptionArn"]
        try:
            # The scope first: moto validates the policy for the scope set.
            for name, value in (("RawMessageDelivery", "true"),
                                ("FilterPolicyScope", "MessageBody"),
                                ("FilterPolicy", json.dumps(case["pattern"]))):
                self.sns.set_subscription_attributes(SubscriptionArn=subscription,
                                                     AttributeName=name, AttributeValue=value)
        except ClientError as error:
            self.sns.unsubscribe(SubscriptionArn=subscription)
            return [f"moto refused the filter policy: {error}"] * len(case["probes"])
        verdicts: list[Verdict] = []
        for probe in case["probes"]:
            body = probe["event"]
            self.drain()
            try:
                self.sns.publish(TopicArn=self.topic_arn, Message=json.dumps(body))
            except Exception as error:  # moto raised while matching
                verdicts.append(f"moto failed: {type(error).__name__}: {error}")
                continue
            delivered = [json.loads(text) for text in self.drain()]
            verdicts.append(any(message == body for message in delivered))
        self.sns.unsubscribe(SubscriptionArn=subscription)
        return verdicts


# --------------------------------------------------------------------------
# The run.


def show(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="?", default=str(HERE / "cases.json"))
    parser.add_argument("--verbose", action="store_true",
                        help="also list every explained deviation")
    args = parser.parse_args()
    cases = json.loads(Path(args.cases).read_text())["cases"]

    grammar_problems = []
    for case in cases:
        if case["service"] == "eventbridge":
            for problem in eventbridge_grammar(case["pattern"]):
                grammar_problems.append((case, problem))

    counts: Counter[str] = Counter()
    failures = []
    explained = []
    inexpressible = []
    with mock_aws():
        aws = Moto.start()
        for case in cases:
            service = case["service"]
            verdicts = aws.eventbridge(case) if service == "eventbridge" else aws.sns_(case)
            counts[f"{service} cases"] += 1
            for probe, verdict in zip(case["probes"], verdicts, strict=True):
                counts[f"{service} probes"] += 1
                blind = next((d for d in DEVIATIONS if d.service == service and not d.judges
                              and d.applies(case, probe, verdict)), None)
                if blind is not None:
                    blind.hits += 1
                    counts[f"{service} not judged"] += 1
                    explained.append((blind, case, probe, verdict))
                    continue
                if verdict is probe["expect"]:
                    counts[f"{service} agree"] += 1
                    continue
                deviation = next((d for d in DEVIATIONS if d.service == service and d.judges
                                  and d.applies(case, probe, verdict)), None)
                if deviation is not None:
                    deviation.hits += 1
                    counts[f"{service} explained"] += 1
                    explained.append((deviation, case, probe, verdict))
                elif not case["expressible"]:
                    counts[f"{service} not expressible"] += 1
                    inexpressible.append((case, probe, verdict))
                else:
                    counts[f"{service} disagree"] += 1
                    failures.append((case, probe, verdict))

    def report(case: dict[str, Any], probe: dict[str, Any], verdict: Verdict) -> None:
        print(f"  {case['id']}")
        if case["clause"]:
            print(f"    where    {case['clause']}")
        print(f"    pattern  {show(case['pattern'])}")
        print(f"    probe    {probe['name']}")
        print(f"    event    {show(probe['event'])}")
        print(f"    expected {probe['expect']}   moto {verdict}")

    print(f"moto {moto.__version__}; {len(cases)} cases from {args.cases}")
    for service in ("eventbridge", "sns"):
        print(f"  {service:11} {counts[f'{service} cases']:3} cases "
              f"{counts[f'{service} probes']:5} probes: "
              f"{counts[f'{service} agree']} agree, "
              f"{counts[f'{service} not judged']} not judged by moto, "
              f"{counts[f'{service} explained']} explained by a known moto deviation, "
              f"{counts[f'{service} not expressible']} in clauses meshc calls not expressible, "
              f"{counts[f'{service} disagree']} disagree")
    print()
    print("known moto deviations (see tests/conformance/README.md):")
    for deviation in DEVIATIONS:
        print(f"  {deviation.id}: {deviation.hits} probe(s) — {deviation.summary}")
    if args.verbose and explained:
        print()
        print("probes that a known deviation explains or moto cannot judge:")
        for deviation, case, probe, verdict in explained:
            print(f"  [{deviation.id}]")
            report(case, probe, verdict)
    if inexpressible:
        print()
        print("disagreements in clauses meshc calls not expressible (a check reports them):")
        for case, probe, verdict in inexpressible:
            report(case, probe, verdict)
    print()
    if grammar_problems:
        print("EventBridge patterns that AWS's event-ruler would refuse:")
        for case, problem in grammar_problems:
            print(f"  {case['id']}: {problem}")
            print(f"    pattern  {show(case['pattern'])}")
    else:
        print("grammar: every EventBridge pattern follows event-ruler's grammar")
    if failures:
        print()
        print("disagreements:")
        for case, probe, verdict in failures:
            report(case, probe, verdict)
    ok = not failures and not grammar_problems
    print()
    print("patterns: passed" if ok else
          f"patterns: FAILED ({len(failures)} disagreement(s), "
          f"{len(grammar_problems)} grammar problem(s))")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
