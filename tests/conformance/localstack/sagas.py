"""Every path of an orchestrated saga, run by LocalStack's Step Functions.

For the happy path and for each step failing (after its retries), the
expected path is what `meshc simulate FILE SAGA [--fail STEP]` prints: the
states an execution enters, in order, how many attempts the failing step
makes, and whether the execution succeeds. `simulate` has no way to make a
compensation fail, so for each compensation (each undo and the failure
handler) the expected path is the simulated path of a step failure that
runs it, cut after that compensation (which now fails), followed by the
saga's operator path as `simulate` prints it where a step after the pivot
fails (the state that keeps the execution's state in the saga's
dead-letter queue, then the Fail state): a compensation that fails leaves
the execution to an operator.

The state machine is the one the closure deployed, its definition checked
to be the template's with the ${placeholders} filled. Task answers come from
LocalStack's mock configuration (SFN_MOCK_CONFIG), one test case per path,
started as `<state machine ARN>#<test case>`: every task succeeds except the
failing ones, which throw on every attempt.

Where the retries of a path would wait longer than QUICK_SECONDS of real
time (a compensation retried 9 times with a 2 s interval doubling up to
60 s waits about 5 minutes), that path runs on a test copy of the deployed
definition, created beside it as NAME-quick, whose retries keep their
MaxAttempts but wait 1 s each (IntervalSeconds 1, BackoffRate 1, no
MaxDelaySeconds or jitter); the report says which paths did.
"""

import copy
import json
import re
import time

import cfn
import delivery
import mesh

QUICK_SECONDS = 20.0
DEADLINE_SECONDS = 150.0
DEAD_LETTER = "sends the execution's state to the dead-letter queue"

ANSWERS = {
    "MeshcLambdaSucceeds": {"0": {"Return": {"StatusCode": 200, "Payload": {}}}},
    "MeshcTaskTokenSucceeds": {"0": {"Return": {}}},
    "MeshcSendSucceeds": {"0": {"Return": {"MessageId": "00000000-0000-4000-8000-000000000000",
                                           "MD5OfMessageBody": "99914b932bd37a50b983c5e7c90ae93b"}}},
    "MeshcTaskFails": {"0-99": {"Throw": {"Error": "MeshcStandIn.Failure",
                                          "Cause": "the harness's mock configuration fails this task"}}},
}


def answer_for(state):
    resource = state.get("Resource", "")
    if ":lambda:invoke" in resource:
        return "MeshcLambdaSucceeds"
    if "waitForTaskToken" in resource:
        return "MeshcTaskTokenSucceeds"
    return "MeshcSendSucceeds"


def waits(state):
    """Seconds the retries of a task wait when every attempt fails."""
    total = 0.0
    for retry in state.get("Retry", [])[:1]:
        interval = retry.get("IntervalSeconds", 1)
        rate = retry.get("BackoffRate", 2.0)
        cap = retry.get("MaxDelaySeconds")
        for attempt in range(retry.get("MaxAttempts", 3)):
            delay = interval * rate ** attempt
            total += min(delay, cap) if cap else delay
    return total


def quick(definition):
    shortened = copy.deepcopy(definition)
    for state in shortened["States"].values():
        for retry in state.get("Retry", []):
            retry["IntervalSeconds"] = 1
            retry["BackoffRate"] = 1.0
            retry.pop("MaxDelaySeconds", None)
            retry.pop("JitterStrategy", None)
    return shortened


class Path:
    def __init__(self, name, what, states, failing, attempts, succeeds):
        self.name, self.what, self.states = name, what, states
        self.failing, self.attempts, self.succeeds = failing, attempts, succeeds
        self.machine = None
        self.quick = False


class Check:
    def __init__(self, system, saga, template, deployment, emulator, prefix):
        self.system, self.saga, self.template = system, saga, template
        self.deployment, self.emulator, self.prefix = deployment, emulator, prefix
        self.problems, self.lines = [], []

    def paths(self):
        """The paths to run, each with what simulate says of it."""
        found = []
        happy = self.system.simulate(self.saga)
        found.append(Path("happy", "every step succeeds", happy.states(), [], {}, happy.succeeds()))
        simulated = []
        for step in self.system.steps(self.saga):
            run = self.system.simulate(self.saga, step)
            failing = list(run.attempts())
            found.append(Path(f"fail-{step}", f"step {step} fails", run.states(), failing,
                              run.attempts(), run.succeeds()))
            simulated.append((step, run))
        tail = None
        for _, run in simulated:
            for index, row in enumerate(run.rows):
                if row["what"] == DEAD_LETTER and index + 1 < len(run.rows):
                    tail = [row["state"], run.rows[index + 1]["state"]]
        compensations = []
        for step, run in simulated:
            states = run.states()
            failed_at = next(i for i, row in enumerate(run.rows) if row["outcome"].startswith("fails"))
            for index in range(failed_at + 1, len(run.rows)):
                row = run.rows[index]
                if row["kind"] == "Task" and row["what"] != DEAD_LETTER and row["state"] not in [c for c, _, _ in compensations]:
                    compensations.append((row["state"], step, states[: index + 1]))
        if compensations and tail is None:
            self.lines.append(f"{self.saga}: no simulated path shows the operator path; compensation failures not run")
            return found
        for state, step, prefix in compensations:
            name = "fail-" + re.sub(r"[^A-Za-z0-9]+", "-", state).strip("-").lower() + "-after-" + step
            base = next(path for path in found if path.name == f"fail-{step}")
            attempts = dict(base.attempts)
            attempts[state] = None
            found.append(Path(name, f"step {step} fails, then {state} fails", prefix + tail,
                              base.failing + [state], attempts, False))
        return found

    def run(self):
        given = {"NamePrefix": self.prefix}
        logical = next(
            (name for name, resource in self.template["Resources"].items()
             if resource["Type"] == "AWS::StepFunctions::StateMachine"
             and delivery.resolve_name(resource["Properties"].get("StateMachineName"), given) == f"{self.prefix}-{self.saga}"),
            None)
        if logical is None or logical not in self.deployment.physical:
            self.problems.append(f"saga {self.saga}: no deployed state machine")
            return False
        sfn = self.deployment.client("stepfunctions")
        arn = self.deployment.physical[logical]
        described = sfn.describe_state_machine(stateMachineArn=arn)
        deployed = json.loads(described["definition"])
        emitted = json.loads(self.template["Resources"][logical]["Properties"]["DefinitionString"])
        if not cfn.same_definition(emitted, deployed):
            self.problems.append(f"saga {self.saga}: the deployed definition is not the emitted one")
            return False
        name = described["name"]
        paths = self.paths()
        machines = {name: arn}
        for path in paths:
            path.machine = name
            if sum(waits(deployed["States"][s]) for s in path.failing if s in deployed["States"]) > QUICK_SECONDS:
                path.machine, path.quick = name + "-quick", True
        if any(path.quick for path in paths):
            created = sfn.create_state_machine(
                name=name + "-quick", definition=json.dumps(quick(deployed)),
                roleArn=described["roleArn"], type=described.get("type", "STANDARD"))
            machines[name + "-quick"] = created["stateMachineArn"]
        config = {"StateMachines": {}, "MockedResponses": ANSWERS}
        tasks = {state: answer_for(body) for state, body in deployed["States"].items() if body["Type"] == "Task"}
        for machine in machines:
            cases = {}
            for path in paths:
                if path.machine == machine:
                    cases[path.name] = {state: ("MeshcTaskFails" if state in path.failing else answer)
                                        for state, answer in tasks.items()}
            config["StateMachines"][machine] = {"TestCases": cases}
        self.emulator.write_mock_config(config)
        trigger = {"version": "0", "id": "00000000-0000-4000-8000-00000000feed", "source": "meshc.harness",
                   "detail-type": "SagaTest", "detail": {"orderId": "order-1"}}
        executions = {}
        for path in paths:
            started = sfn.start_execution(stateMachineArn=f"{machines[path.machine]}#{path.name}",
                                          name=f"{path.name}-{int(time.time() * 1000) % 10**9}",
                                          input=json.dumps(trigger))
            executions[path.name] = started["executionArn"]
        deadline = time.monotonic() + DEADLINE_SECONDS
        status = {}
        while time.monotonic() < deadline:
            status = {p: sfn.describe_execution(executionArn=a)["status"] for p, a in executions.items()}
            if all(s != "RUNNING" for s in status.values()):
                break
            time.sleep(1)
        for path in paths:
            self.compare(sfn, path, executions[path.name], status.get(path.name))
        return not self.problems

    def compare(self, sfn, path, execution, status):
        events = []
        token = None
        while True:
            page = sfn.get_execution_history(executionArn=execution, maxResults=1000,
                                             **({"nextToken": token} if token else {}))
            events.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                break
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
        attempts = {}
        current = None
        for event in events:
            if "stateEnteredEventDetails" in event:
                current = event["stateEnteredEventDetails"]["name"]
            elif event["type"] in ("TaskScheduled", "LambdaFunctionScheduled"):
                attempts[current] = attempts.get(current, 0) + 1
        problems = []
        if entered != path.states:
            problems.append(f"entered {entered}, simulate prints {path.states}")
        for state, expected in path.attempts.items():
            if expected is not None and attempts.get(state) != expected:
                problems.append(f"{state}: {attempts.get(state)} attempts, simulate prints {expected}")
        wanted = "SUCCEEDED" if path.succeeds else "FAILED"
        if status != wanted:
            problems.append(f"execution {status}, simulate says it {'succeeds' if path.succeeds else 'fails'}")
        where = " (on the -quick copy: retries wait 1 s)" if path.quick else ""
        if problems:
            self.problems.append(f"saga {self.saga}, {path.what}{where}: " + "; ".join(problems))
        else:
            self.lines.append(f"saga {self.saga}, {path.what}{where}: {len(entered)} states as simulate prints, {status}")
