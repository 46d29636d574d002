"""Events reach exactly their declared consumers.

For every event a system declares, the harness publishes, as the runtime
contract (docs/runtime.md) tells a service to, a sample matching the event's
schema and documents on each side of every `where` clause that filters it,
then watches every place an event can land in the deployed closure: each
queue (ReceiveMessage), each Lambda function (the invocations the stand-in
executor records), each state machine (its executions' input) and each
stream (GetRecords). Each published event is recognised wherever it lands
by the id EventBridge, SNS or Kinesis gave it. It must land exactly where
`meshc graph` says it is declared to go, as many times as there are paths
to each place, and nowhere else: a dead-letter queue, a consumer whose
filter it does not satisfy, or a consumer of other events.

A saga's own traffic is not event delivery: the task messages a state
machine sends (they carry a `taskToken`) and the Lambda invocations of its
tasks (they carry the `execution`) are counted apart.
"""

import collections
import json
import re
import time

import mesh

SETTLE_SECONDS = 3.0
DEADLINE_SECONDS = 25.0


def upper(name):
    return re.sub(r"[-.]", "_", name).upper()


def environment_expressions(template):
    """name -> value expression of every MESH_EVENT_* variable the
    template gives a function or a task."""
    found = {}
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Function":
            for name, value in properties.get("Environment", {}).get("Variables", {}).items():
                if name.startswith("MESH_EVENT_"):
                    found.setdefault(name, value)
        elif resource["Type"] == "AWS::ECS::TaskDefinition":
            for container in properties.get("ContainerDefinitions", []):
                for entry in container.get("Environment", []):
                    if str(entry.get("Name", "")).startswith("MESH_EVENT_"):
                        found.setdefault(entry["Name"], entry["Value"])
    return found


def resolve_name(value, given):
    """A physical name written as a string or Fn::Sub over parameters."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: given.get(m.group(1), m.group(0)), value["Fn::Sub"])
    return None


NAME_PROPERTY = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::SNS::Topic": "TopicName",
    "AWS::Events::EventBus": "Name",
}


def walk_ids(value, ids, found):
    """Every published id found anywhere in a value (and in JSON strings
    inside it)."""
    if isinstance(value, dict):
        for inner in value.values():
            walk_ids(inner, ids, found)
    elif isinstance(value, list):
        for inner in value:
            walk_ids(inner, ids, found)
    elif isinstance(value, str):
        if value in ids:
            found.append(value)
        elif value[:1] in "{[":
            try:
                walk_ids(json.loads(value), ids, found)
            except ValueError:
                pass


def canonical(document):
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def saga_traffic(document):
    return isinstance(document, dict) and ("taskToken" in document or "execution" in document)


def message_attributes(detail_type, fields, document):
    """The SNS message attributes docs/runtime.md tells a publisher to set
    on a topic that filters on attributes: `event`, the event's detail
    type, and each listed field of the document, typed by its value."""
    attributes = {"event": {"DataType": "String", "StringValue": detail_type}}
    for field in filter(None, fields.split(",")):
        if field not in document:
            continue
        value = document[field]
        if isinstance(value, bool):
            raise mesh.MeshError(f"field {field} is a boolean, which no attribute holds")
        if isinstance(value, (int, float)):
            attributes[field] = {"DataType": "Number", "StringValue": json.dumps(value)}
        elif isinstance(value, list):
            attributes[field] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        else:
            attributes[field] = {"DataType": "String", "StringValue": str(value)}
    return attributes


class Check:
    def __init__(self, system, template, deployment, emulator, prefix, full_template):
        self.system = system
        self.template = template
        self.full_template = full_template
        self.deployment = deployment
        self.emulator = emulator
        self.prefix = prefix
        self.problems = []
        self.lines = []
        self.saga_messages = 0
        self.places = self._places()

    # -------------------------------------------------------------- places

    def _places(self):
        """node or resource -> (kind, physical id) for everything of the
        closure an event can land in."""
        given = {"NamePrefix": self.prefix}
        by_name = {}
        places = {}
        for logical, resource in self.template["Resources"].items():
            kind = resource["Type"]
            if kind in NAME_PROPERTY and logical in self.deployment.physical:
                name = resolve_name(resource["Properties"].get(NAME_PROPERTY[kind]), given)
                by_name[(kind, name)] = logical
                if kind in ("AWS::SQS::Queue", "AWS::Lambda::Function",
                            "AWS::StepFunctions::StateMachine", "AWS::Kinesis::Stream"):
                    places[logical] = (kind, self.deployment.physical[logical], name)
        self.by_name = by_name
        return places

    def place_of(self, node):
        """The logical id of the resource a graph node stands for, by the
        naming rule of the README: the prefix, a dash, the name."""
        kinds = {
            "queue": "AWS::SQS::Queue",
            "svc": "AWS::Lambda::Function",
            "saga": "AWS::StepFunctions::StateMachine",
            "stream": "AWS::Kinesis::Stream",
            "topic": "AWS::SNS::Topic",
            "bus": "AWS::Events::EventBus",
        }
        kind = kinds.get(node.split("_")[0])
        name = self.system.graph.name(node).replace("--", "-")
        return self.by_name.get((kind, f"{self.prefix}-{name}"))

    # --------------------------------------------------------- publishing

    def _schema(self, event):
        for resource in self.full_template["Resources"].values():
            if resource["Type"] == "AWS::EventSchemas::Schema" and resource["Properties"].get("SchemaName") == event:
                content = resource["Properties"]["Content"]
                content = json.loads(content) if isinstance(content, str) else content
                return content.get("properties", {}).get("detail", content)
        raise mesh.MeshError(f"no schema for event {event} in the template")

    def documents(self, event):
        """(what, detail) pairs to publish for one event."""
        base = mesh.sample(self._schema(event))
        found = [("a sample of its schema", base)]
        seen = set()
        for _, clause, _ in self.system.consumers(event):
            if clause and clause not in seen:
                seen.add(clause)
                for label, document in mesh.probes(base, mesh.Clause(clause)):
                    found.append((f"where {clause}: {label}", document))
        return found

    def expected(self, event, document):
        counts = collections.Counter()
        for target, clause, _ in self.system.consumers(event):
            if clause is None or mesh.Clause(clause).matches(document):
                counts[target] += 1
        return counts

    def publish(self, env, event, document):
        """Publishes one document as the runtime contract says; returns the
        id it was given."""
        key = f"MESH_EVENT_{upper(event)}_"
        carrier = self.system.events[event]
        if carrier.startswith("bus_"):
            answer = self.deployment.client("events").put_events(Entries=[{
                "EventBusName": env[key + "BUS"],
                "Source": env[key + "SOURCE"],
                "DetailType": env[key + "DETAIL_TYPE"],
                "Detail": json.dumps(document),
            }])
            entry = answer["Entries"][0]
            if "EventId" not in entry:
                raise mesh.MeshError(f"PutEvents refused {event}: {entry}")
            return entry["EventId"]
        if carrier.startswith("topic_"):
            extra = {}
            if key + "ATTRIBUTES" in env:
                extra["MessageAttributes"] = message_attributes(
                    env[key + "DETAIL_TYPE"], env[key + "ATTRIBUTES"], document)
            answer = self.deployment.client("sns").publish(
                TopicArn=env[key + "TOPIC_ARN"], Message=json.dumps(document), **extra)
            return answer["MessageId"]
        answer = self.deployment.client("kinesis").put_record(
            StreamName=env[key + "STREAM"], Data=json.dumps(document).encode(),
            PartitionKey=event)
        return answer["SequenceNumber"]

    # ---------------------------------------------------------- watching

    def watch(self, ids, wanted):
        """Reads every place until `wanted` (Counter of (id, logical)) is
        seen, or the deadline; then a little longer for extra deliveries."""
        seen = collections.Counter()
        sqs = self.deployment.client("sqs")
        sfn = self.deployment.client("stepfunctions")
        kinesis = self.deployment.client("kinesis")
        executions_seen = set()
        iterators = {}
        offset = self.invocation_offset
        started = time.monotonic()
        settled_at = None
        while True:
            for logical, (kind, physical, name) in self.places.items():
                found_here = []
                if kind == "AWS::SQS::Queue":
                    while True:
                        messages = sqs.receive_message(
                            QueueUrl=physical, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                            VisibilityTimeout=600).get("Messages", [])
                        for message in messages:
                            try:
                                body = json.loads(message["Body"])
                            except ValueError:
                                body = message["Body"]
                            if saga_traffic(body):
                                self.saga_messages += 1
                            else:
                                before = len(found_here)
                                walk_ids(body, ids, found_here)
                                if len(found_here) == before:
                                    # Raw delivery: the body is the document
                                    # alone, without SNS's message id.
                                    ident = self.raw_delivery(message["Body"], logical)
                                    if ident:
                                        found_here.append(ident)
                            sqs.delete_message(QueueUrl=physical, ReceiptHandle=message["ReceiptHandle"])
                        if len(messages) < 10:
                            break
                elif kind == "AWS::StepFunctions::StateMachine":
                    for execution in sfn.list_executions(stateMachineArn=physical)["executions"]:
                        arn = execution["executionArn"]
                        if arn in executions_seen:
                            continue
                        executions_seen.add(arn)
                        described = sfn.describe_execution(executionArn=arn)
                        walk_ids(described.get("input", ""), ids, found_here)
                elif kind == "AWS::Kinesis::Stream":
                    if logical not in iterators:
                        shards = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
                        iterators[logical] = [
                            kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                            for shard in shards
                        ]
                    following = []
                    for iterator in iterators[logical]:
                        answer = kinesis.get_records(ShardIterator=iterator, Limit=1000)
                        for record in answer["Records"]:
                            if record["SequenceNumber"] in ids:
                                found_here.append(record["SequenceNumber"])
                            else:
                                walk_ids(record["Data"].decode("utf-8", "replace"), ids, found_here)
                        following.append(answer["NextShardIterator"])
                    iterators[logical] = following
                for found in found_here:
                    seen[(found, logical)] += 1
            records, offset = self.emulator.invocations_since(offset)
            for record in records:
                function = record["function"].split(":function:")[-1].split(":")[0]
                logical = next((l for l, (k, p, n) in self.places.items()
                                if k == "AWS::Lambda::Function" and n == function), None)
                try:
                    payload = json.loads(record["payload"] or "null")
                except ValueError:
                    payload = record["payload"]
                if saga_traffic(payload):
                    self.saga_messages += 1
                    continue
                found_here = []
                walk_ids(payload, ids, found_here)
                for found in found_here:
                    seen[(found, logical or function)] += 1
            self.invocation_offset = offset
            now = time.monotonic()
            complete = all(seen[key] >= count for key, count in wanted.items())
            if complete and settled_at is None:
                settled_at = now
            if settled_at is not None and now - settled_at >= SETTLE_SECONDS:
                break
            if now - started > DEADLINE_SECONDS:
                break
            time.sleep(0.5)
        return seen, executions_seen

    # --------------------------------------------------------------- run

    def raw_delivery(self, body, logical):
        """The id of the published document a raw SNS delivery carries (the
        first of equal documents this place has not been credited with),
        or None when the body is no published document."""
        try:
            key = canonical(json.loads(body))
        except ValueError:
            return None
        claimed = self.raw_claimed.setdefault(logical, set())
        for ident in self.raw_documents.get(key, []):
            if ident not in claimed:
                claimed.add(ident)
                return ident
        return None

    def run(self, env):
        self.raw_documents = {}  # canonical document -> ids published with it
        self.raw_claimed = {}  # logical -> ids credited to raw deliveries there
        self.invocation_offset = self.emulator.invocations_since(0)[1]
        published = []  # (event, what, document, id, expected Counter of logical)
        unknown_nodes = set()
        for event in sorted(self.system.events):
            for what, document in self.documents(event):
                expected = collections.Counter()
                for node, count in self.expected(event, document).items():
                    logical = self.place_of(node)
                    if logical is None:
                        unknown_nodes.add(node)
                        continue
                    expected[logical] += count
                ident = self.publish(env, event, document)
                published.append((event, what, document, ident, expected))
                if self.system.events[event].startswith("topic_"):
                    self.raw_documents.setdefault(canonical(document), []).append(ident)
        for node in sorted(unknown_nodes):
            self.problems.append(f"no deployed resource for the declared consumer {node}")
        ids = {ident for _, _, _, ident, _ in published}
        wanted = collections.Counter()
        for _, _, _, ident, expected in published:
            for logical, count in expected.items():
                wanted[(ident, logical)] += count
        seen, executions = self.watch(ids, wanted)
        by_event = collections.defaultdict(list)
        for event, what, document, ident, expected in published:
            got = collections.Counter({logical: count for (i, logical), count in seen.items() if i == ident})
            ok = got == expected
            by_event[event].append(ok)
            if not ok:
                missing = expected - got
                extra = got - expected
                detail = []
                if missing:
                    detail.append("missing at " + ", ".join(f"{self.label(l)}" + (f" x{c}" if c > 1 else "") for l, c in sorted(missing.items())))
                if extra:
                    detail.append("also at " + ", ".join(f"{self.label(l)}" + (f" x{c}" if c > 1 else "") for l, c in sorted(extra.items())))
                self.problems.append(f"{event} ({what}): {'; '.join(detail)}")
        for event in sorted(by_event):
            paths = collections.Counter(self.label(self.place_of(t) or t) for t, _, _ in self.system.consumers(event))
            consumers = sorted(f"{name} x{count}" if count > 1 else name for name, count in paths.items())
            self.lines.append(f"{event}: {sum(by_event[event])}/{len(by_event[event])} published documents reached "
                              f"exactly their consumers ({', '.join(consumers)})")
        self.published = len(published)
        self.stop_executions(executions)
        return not self.problems

    def label(self, logical):
        if logical in self.places:
            kind, _, name = self.places[logical]
            return f"{kind.split('::')[1].lower()} {name}"
        return str(logical)

    def stop_executions(self, executions):
        sfn = self.deployment.client("stepfunctions")
        for arn in executions:
            try:
                if sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
                    sfn.stop_execution(executionArn=arn, cause="meshc harness: delivery checked")
            except Exception:  # noqa: BLE001 - best effort
                pass
