"""LocalStack in host mode: started, waited for, stopped.

The settings are those measured in the project's notes on running meshc's
output here (no Docker daemon, no Java, registries only):

* ``GATEWAY_SERVER=hypercorn GATEWAY_LISTEN=127.0.0.1:PORT``: the default
  server ignores the host part of GATEWAY_LISTEN and binds every interface;
  hypercorn binds loopback only (checked after start-up).
* ``DNS_ADDRESS=0``: no DNS server; ``SKIP_SSL_CERT_DOWNLOAD=1``: no download
  of a certificate; ``DISABLE_EVENTS=1``: no analytics.
* ``CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES=1``: CloudFormation creates a
  placeholder for a type it has no provider for (the harness lists them).
* ``LAMBDA_RUNTIME_EXECUTOR=meshc-recorder`` and
  ``PROVIDER_OVERRIDE_DYNAMODB=moto``: the stand-ins of plugins/.
* ``SFN_MOCK_CONFIG``: the Step Functions mock configuration the saga check
  writes; ``LOCALSTACK_VOLUME_DIR``: a directory of this run's own.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port(preferred=4566):
    for port in [preferred] + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


class LocalStack:
    def __init__(self, work):
        self.work = work
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.volume = os.path.join(work, "volume")
        self.log_path = os.path.join(work, "localstack.log")
        self.invocations = os.path.join(work, "lambda-invocations.jsonl")
        self.mock_config = os.path.join(work, "sfn-mock-config.json")
        self.process = None
        self.startup_seconds = None
        self._mock_mtime = int(time.time())

    def environment(self):
        env = dict(os.environ)
        for key in list(env):
            if key.startswith(("AWS_", "LOCALSTACK_", "PROVIDER_OVERRIDE_")):
                del env[key]
        env.update(
            GATEWAY_SERVER="hypercorn",
            GATEWAY_LISTEN=f"127.0.0.1:{self.port}",
            DNS_ADDRESS="0",
            SKIP_SSL_CERT_DOWNLOAD="1",
            DISABLE_EVENTS="1",
            CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES="1",
            LOCALSTACK_VOLUME_DIR=self.volume,
            LAMBDA_RUNTIME_EXECUTOR="meshc-recorder",
            PROVIDER_OVERRIDE_DYNAMODB="moto",
            MESHC_LAMBDA_INVOCATIONS=self.invocations,
            SFN_MOCK_CONFIG=self.mock_config,
        )
        return env

    def write_mock_config(self, config):
        """Writes the Step Functions mock configuration. LocalStack reloads
        it when its modification time (in whole seconds) changes, so each
        write moves that time on by a second."""
        with open(self.mock_config, "w") as handle:
            json.dump(config, handle, indent=1)
        self._mock_mtime += 1
        os.utime(self.mock_config, (self._mock_mtime, self._mock_mtime))

    def start(self):
        os.makedirs(self.volume, exist_ok=True)
        self.write_mock_config({"StateMachines": {}, "MockedResponses": {}})
        open(self.invocations, "w").close()
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "localstack.runtime.main"],
            env=self.environment(),
            stdout=open(self.log_path, "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = started + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"LocalStack exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_localstack/health", timeout=2) as answer:
                    health = json.load(answer)
                if health.get("services"):
                    self.startup_seconds = time.monotonic() - started
                    self.check_loopback_only()
                    return health
            except OSError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"LocalStack did not answer within 120 s; see {self.log_path}")

    def check_loopback_only(self):
        """Every TCP socket LocalStack listens on is bound to 127.0.0.1."""
        pids = {str(self.process.pid)}
        try:
            children = subprocess.run(
                ["pgrep", "-g", str(os.getpgid(self.process.pid))],
                capture_output=True, text=True,
            ).stdout.split()
            pids.update(children)
        except OSError:
            pass
        try:
            listening = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
        except FileNotFoundError:
            print("localstack: no `ss` (iproute2) to check the listening sockets; GATEWAY_LISTEN is 127.0.0.1")
            return
        bad = []
        for line in listening.splitlines():
            if any(f"pid={pid}," in line for pid in pids):
                local = line.split()[3]
                if not local.startswith("127.0.0.1:"):
                    bad.append(local)
        if bad:
            raise RuntimeError(f"LocalStack listens beyond loopback: {', '.join(bad)}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def invocations_since(self, offset):
        """Lambda invocations recorded by the stand-in executor after byte
        `offset` of its log; returns (records, new offset)."""
        with open(self.invocations, encoding="utf-8") as handle:
            handle.seek(offset)
            text = handle.read()
            # Only whole lines: a record being written is read next time.
            whole = text[: text.rfind("\n") + 1]
        records = [json.loads(line) for line in whole.splitlines() if line.strip()]
        return records, offset + len(whole.encode("utf-8"))
