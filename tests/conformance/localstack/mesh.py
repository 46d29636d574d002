"""What a .mesh system declares, read through meshc itself.

* `meshc graph FILE --format dot --all` gives the messaging topology: which
  component publishes which event to which bus, topic or stream; which rule
  takes which events (with their `where` clauses) to which targets; which
  queues a topic feeds; which sagas exist and how they run.
* `meshc simulate FILE SAGA [--fail STEP]` gives, for each path of a saga,
  the states an execution enters and how each ends.

The source is read only for what neither prints: the system's region and
the names of a saga's steps (the arguments `--fail` takes).
"""

import copy
import re
import subprocess


class MeshError(Exception):
    pass


def run(meshc, *arguments):
    done = subprocess.run([meshc, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise MeshError(f"meshc {' '.join(arguments)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


# ---------------------------------------------------------------- the graph

def unescape(text):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\]\s]+)')


def attributes(text):
    found = {}
    for key, value in ATTRIBUTE.findall(text or ""):
        found[key] = unescape(value[1:-1]) if value.startswith('"') else value
    return found


def split_top(text, separator=","):
    """Splits at separators outside quotes and brackets."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
        if char == separator and not quoted and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def message_groups(label):
    """The events an edge's label names, each with its `where` clause (or
    None): `A, B` and `C where status = "x"` on lines of their own."""
    groups = []
    for line in (label or "").split("\n"):
        line = line.strip()
        if not line:
            continue
        names, _, clause = line.partition(" where ") if not line.startswith("where ") else ("", "", line[6:])
        clause = clause or None
        for name in split_top(names):
            groups.append((name, clause))
        if not names.strip():
            groups.append((None, clause))
    return groups


class Graph:
    """The DOT picture of a system, as nodes and edges."""

    def __init__(self, dot):
        self.nodes = {}
        self.edges = []
        for line in dot.splitlines():
            edge = re.match(r"\s*(\w+)\s*->\s*(\w+)\s*(?:\[(.*)\])?;\s*$", line)
            if edge:
                self.edges.append((edge.group(1), edge.group(2), attributes(edge.group(3))))
                continue
            node = re.match(r"\s*(\w+)\s*\[(.*)\];\s*$", line)
            if node and node.group(1) not in ("graph", "node", "edge"):
                label = attributes(node.group(2)).get("label", "")
                name, _, kind = label.partition("\n")
                self.nodes[node.group(1)] = (name, kind)

    def name(self, node):
        return self.nodes[node][0]

    def kind(self, node):
        return self.nodes[node][1]

    def out(self, node):
        return [(b, attrs) for a, b, attrs in self.edges if a == node]


class System:
    """The messaging a system declares."""

    def __init__(self, meshc, source):
        self.meshc = meshc
        self.source = source
        with open(source, encoding="utf-8") as handle:
            self.text = handle.read()
        self.graph = Graph(run(meshc, "graph", source, "--format", "dot", "--all"))
        found = re.search(r'^\s*region\s*=\s*"([^"]+)"', self.text, re.M)
        self.region = found.group(1) if found else "us-east-1"
        self.events = self._events()
        self.sagas = {
            self.graph.name(node): node
            for node in self.graph.nodes
            if node.startswith("saga_")
        }

    def _events(self):
        """event -> its carrier node (bus_, topic_ or stream_), from the
        edges drawn from its publishers."""
        events = {}
        for a, b, attrs in self.graph.edges:
            if a.startswith("svc_") and b.split("_")[0] in ("bus", "topic", "stream"):
                for name, _ in message_groups(attrs.get("label")):
                    if name:
                        events[name] = b
        return events

    def consumers(self, event):
        """Where an event published on its carrier is declared to go:
        [(target node, where clause or None, through)], `through` being the
        rule node (or the topic) that delivers it."""
        carrier = self.events[event]
        found = []
        if carrier.startswith("bus_"):
            for rule, attrs in self.graph.out(carrier):
                if not rule.startswith("rule_"):
                    continue
                for name, clause in message_groups(attrs.get("label")):
                    if name == event:
                        for target, target_attrs in self.graph.out(rule):
                            if target_attrs.get("style") != "dashed":
                                found.append((target, clause, rule))
        elif carrier.startswith("topic_"):
            # A topic's own subscriptions take every event it carries (the
            # edge names none); a `consumes` takes the events it names.
            for target, attrs in self.graph.out(carrier):
                groups = message_groups(attrs.get("label"))
                names = [name for name, _ in groups if name]
                if names and event not in names:
                    continue
                clauses = [clause for name, clause in groups if name in (None, event)]
                found.append((target, clauses[0] if clauses else None, carrier))
        elif carrier.startswith("stream_"):
            # A stream's consumers are event source mappings, which the
            # harness does not deploy; the record must reach the stream.
            found.append((carrier, None, carrier))
        return found

    def orchestrated(self):
        return sorted(name for name, node in self.sagas.items() if "Step Functions" in self.graph.kind(node))

    def steps(self, saga):
        """The step names of a saga, from its declaration."""
        start = re.search(r"^\s*saga\s+" + re.escape(saga) + r"\s*\{", self.text, re.M)
        if not start:
            raise MeshError(f"saga {saga} not found in {self.source}")
        depth, index = 0, start.end() - 1
        for index in range(start.end() - 1, len(self.text)):
            if self.text[index] == "{":
                depth += 1
            elif self.text[index] == "}":
                depth -= 1
                if depth == 0:
                    break
        body = self.text[start.end():index]
        return re.findall(r"^\s*step\s+([A-Za-z0-9_-]+)\s*\{", body, re.M)

    def simulate(self, saga, failing=None):
        arguments = ["simulate", self.source, saga] + (["--fail", failing] if failing else [])
        return Simulation(run(self.meshc, *arguments))


# ------------------------------------------------------- simulate's table

class Simulation:
    """The table `meshc simulate` prints: rows of (state, kind, what,
    outcome), and the sentence it ends with."""

    def __init__(self, text):
        self.text = text
        self.rows = []
        self.end = ""
        for line in text.splitlines():
            row = re.match(r"^\s+\d+\s{2,}(.*)$", line)
            if row:
                parts = re.split(r"\s{2,}", row.group(1).strip())
                state, kind = parts[0], parts[1]
                what = parts[2] if len(parts) > 2 else ""
                outcome = parts[3] if len(parts) > 3 else ""
                self.rows.append({"state": state, "kind": kind, "what": what, "outcome": outcome})
            elif line.startswith("The execution"):
                self.end = line.strip()
        if not self.rows:
            raise MeshError(f"no path in meshc simulate's output:\n{text}")

    def states(self):
        return [row["state"] for row in self.rows]

    def succeeds(self):
        return self.end.startswith("The execution succeeds")

    def attempts(self):
        """state -> attempts, for the rows that fail after some."""
        found = {}
        for row in self.rows:
            match = re.match(r"fails after (\d+) attempts?", row["outcome"])
            if match:
                found[row["state"]] = int(match.group(1))
        return found


# -------------------------------------------------------- where clauses

class Clause:
    """A `where` clause with the meaning docs/language.md gives it:
    conditions joined by `and`; a field is a dotted path into the event,
    through objects and lists (a list matches when one element does)."""

    OPERATORS = ["not exists", "exists", "not in", "in", "starts_with", "ends_with", "!=", "<=", ">=", "=", "<", ">"]

    def __init__(self, text):
        self.text = text
        self.conditions = []
        for part in re.split(r"\s+and\s+", text.strip()):
            self.conditions.append(self._condition(part.strip()))

    def _condition(self, text):
        for op in self.OPERATORS:
            pattern = r"^([A-Za-z0-9_.-]+)\s+" + re.escape(op) + (r"$" if "exists" in op else r"\s+(.+)$")
            match = re.match(pattern, text)
            if match:
                value = None if "exists" in op else self._value(match.group(2).strip())
                return (match.group(1).split("."), op, value)
        raise MeshError(f"cannot read the condition `{text}`")

    @staticmethod
    def _value(text):
        if text.startswith("["):
            return [Clause._value(item) for item in split_top(text[1:-1])]
        if text.startswith('"'):
            return text[1:-1]
        if text in ("true", "false"):
            return text == "true"
        if "…" in text or "more" in text:
            raise MeshError(f"a shortened value `{text}`")
        return float(text) if "." in text else int(text)

    @staticmethod
    def values_at(document, path):
        """Every value at a path, through lists; [] when absent."""
        current = [document]
        for key in path:
            following = []
            for value in current:
                if isinstance(value, list):
                    value_list = value
                else:
                    value_list = [value]
                for item in value_list:
                    if isinstance(item, dict) and key in item:
                        inner = item[key]
                        following.extend(inner if isinstance(inner, list) else [inner])
            current = following
        return current

    @staticmethod
    def holds(op, value, expected):
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if op == "=":
            return value == expected and type(value) is type(expected) or (numeric and value == expected)
        if op == "!=":
            return not (value == expected)
        if op in ("<", "<=", ">", ">="):
            if not numeric:
                return False
            return {"<": value < expected, "<=": value <= expected,
                    ">": value > expected, ">=": value >= expected}[op]
        if op == "in":
            return value in expected
        if op == "not in":
            return value not in expected
        if op == "starts_with":
            return isinstance(value, str) and value.startswith(expected)
        if op == "ends_with":
            return isinstance(value, str) and value.endswith(expected)
        raise MeshError(f"unknown operator {op}")

    def matches(self, document):
        for path, op, expected in self.conditions:
            values = self.values_at(document, path)
            if op == "exists":
                if not values:
                    return False
            elif op == "not exists":
                if values:
                    return False
            elif not any(self.holds(op, value, expected) for value in values):
                return False
        return True


# ------------------------------------------------------------- samples

def sample(schema, name="value"):
    """A document matching a JSON Schema, every optional field included."""
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {key: sample(inner, key) for key, inner in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), name)]
    if kind == "integer":
        return 3
    if kind == "number":
        return 12.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00Z"
    return f"{name}-1"


def set_at(document, path, value):
    """Sets a path (through every element of a list), or removes it when
    value is the REMOVE marker."""
    if not path:
        return
    items = document if isinstance(document, list) else [document]
    for item in items:
        if not isinstance(item, dict):
            continue
        if len(path) == 1:
            if value is REMOVE:
                item.pop(path[0], None)
            else:
                item[path[0]] = value
        else:
            item.setdefault(path[0], {})
            set_at(item[path[0]], path[1:], value)


REMOVE = object()


def variants(op, expected):
    """Values around a condition: (value or REMOVE, label)."""
    if op == "exists":
        return [("present", "present"), (REMOVE, "absent")]
    if op == "not exists":
        return [(REMOVE, "absent"), ("present", "present")]
    if op in ("=", "!="):
        if isinstance(expected, bool):
            return [(expected, f"= {expected}"), (not expected, f"= {not expected}")]
        if isinstance(expected, (int, float)):
            return [(expected, f"= {expected}"), (expected + 1, f"= {expected + 1}")]
        return [(expected, f'= "{expected}"'), (expected + "x", f'sharing the prefix "{expected}"'),
                ("x" + expected, f'sharing the suffix "{expected}"')]
    if op in ("<", "<=", ">", ">="):
        return [(expected - 1, f"= {expected - 1}"), (expected, f"= {expected}"), (expected + 1, f"= {expected + 1}")]
    if op in ("in", "not in"):
        found = [(value, f"= {value!r}") for value in expected]
        if all(isinstance(value, str) for value in expected):
            found.append(("x" + expected[0], f'outside the list ("x{expected[0]}")'))
        else:
            found.append((max(expected) + 1, f"outside the list ({max(expected) + 1})"))
        return found
    if op == "starts_with":
        return [(expected + "x", f'"{expected}x"'), ("x" + expected, f'"x{expected}"')]
    if op == "ends_with":
        return [("x" + expected, f'"x{expected}"'), (expected + "x", f'"{expected}x"')]
    raise MeshError(f"unknown operator {op}")


def probes(base, clause):
    """Documents on each side of every condition of a clause: a base that
    satisfies all of them, then each condition moved through its values."""
    satisfying = copy.deepcopy(base)
    for condition in clause.conditions:
        path, op, expected = condition
        for value, _ in variants(op, expected):
            trial = copy.deepcopy(satisfying)
            set_at(trial, path, value)
            if clause_of([condition]).matches(trial):
                satisfying = trial
                break
    found = [("satisfies every condition", satisfying)]
    for path, op, expected in clause.conditions:
        for value, label in variants(op, expected):
            trial = copy.deepcopy(satisfying)
            set_at(trial, path, value)
            found.append((f"{'.'.join(path)} {label}", trial))
    return found


def clause_of(conditions):
    clause = Clause.__new__(Clause)
    clause.text = " and ".join(f"{'.'.join(p)} {op}" for p, op, _ in conditions)
    clause.conditions = conditions
    return clause
