#!/usr/bin/env python3
"""Check Terraform configuration against the real hashicorp/aws provider schema.

The schema comes from the jsii assembly (`.jsii`) of the npm package
`@cdktf/provider-aws`, which HashiCorp generated from the provider's own
`terraform providers schema -json` output.  This script

* extracts a compact schema cache from that assembly (``schema`` command, or
  automatically before ``check`` when the cache is missing or stale), and
* checks configuration already parsed by HashiCorp's HCL parser
  (``hcl2json.mjs`` beside this file) against it (``check`` command).

How the jsii is read (see also ``extract``):

* Resource and data-source classes extend ``cdktf.TerraformResource`` /
  ``cdktf.TerraformDataSource``.  Their doc summary reads
  ``Represents a {@link https://registry.terraform.io/providers/hashicorp/aws/<ver>/docs/resources/vpc aws_vpc}.``
  which gives the Terraform type name, the kind and the provider version.
  The constructor's ``config`` parameter names the ``*Config`` interface.
* Every property of a config or nested interface links to its registry
  anchor: ``{@link https://.../docs/resources/vpc#cidr_block Vpc#cidr_block}``
  (in ``docs.summary`` or ``docs.remarks``).  The anchor is the HCL name;
  camelCase conversion is not reliable (``equalTo`` is ``equals``,
  ``fetchPasswordData`` is ``get_password_data``, ``address1`` is
  ``address_1``).
* ``optional: true`` marks optional properties; the rest are required.  For
  a list/set block the generator derives this from ``min_items``.
* Nested blocks are the properties whose ``docs.summary`` is exactly
  ``"<name> block."`` -- the generator writes that description for every
  schema ``block_types`` entry and the provider's own description for
  attributes.  Their type is the nested interface (one block at most:
  ``max_items = 1`` or nesting mode single) or ``IResolvable | Interface[]``
  (a list or set of blocks).  A block typed ``any`` is one whose schema the
  generator elided (e.g. the recursive ``statement`` of wafv2); its content
  is not checked.
* Attributes whose type is an interface (or a list/map of one) are
  attributes of object type (SDKv2 attributes-as-blocks such as
  ``aws_security_group.ingress``, or plugin-framework nested attributes).
  Their content is checked like a block's, but they are never required
  blocks.

The output of ``check`` is one line per problem, ``file:address: problem``,
and the exit status is 1 when there are problems.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from typing import Any, Iterator

CACHE_FORMAT = 2
PREFIX = "@cdktf/provider-aws."
BASES = {
    "cdktf.TerraformResource": "resource",
    "cdktf.TerraformDataSource": "data",
    "cdktf.TerraformProvider": "provider",
}
LINK_RE = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/"
    r"(?P<ns>[^/\s]+)/(?P<prov>[^/\s]+)/(?P<ver>[^/\s]+)/docs"
    r"(?:/(?P<kind>resources|data-sources)/(?P<page>[^\s#}]+))?"
    r"(?:#(?P<anchor>[^\s}]+))?"
    r"\s+(?P<label>[^}]+?)\s*\}"
)


class ExtractError(Exception):
    """The jsii does not have the shape this extractor relies on."""


# --------------------------------------------------------------------------
# Extraction from the jsii assembly
# --------------------------------------------------------------------------


def _struct_ref(t: dict) -> tuple[str | None, str | None]:
    """Find a provider interface inside a jsii type reference.

    Returns (fqn, shape) with shape "one" (the interface itself), "array"
    (IResolvable | Interface[]) or "map"; (None, None) when the type holds no
    provider interface.
    """
    if "fqn" in t:
        if t["fqn"].startswith(PREFIX):
            return t["fqn"], "one"
        return None, None
    if "collection" in t:
        fqn, _ = _struct_ref(t["collection"]["elementtype"])
        if fqn:
            return fqn, t["collection"]["kind"]
        return None, None
    if "union" in t:
        for u in t["union"]["types"]:
            fqn, shape = _struct_ref(u)
            if fqn:
                return fqn, shape
    return None, None


def _has_any(t: dict) -> bool:
    if t.get("primitive") == "any":
        return True
    if "collection" in t:
        return _has_any(t["collection"]["elementtype"])
    if "union" in t:
        return any(_has_any(u) for u in t["union"]["types"])
    return False


def _is_scalar(t: dict) -> bool:
    """string / number / bool (possibly `| IResolvable`)."""
    if "primitive" in t:
        return t["primitive"] != "any"
    if "union" in t:
        kinds = [u for u in t["union"]["types"] if u.get("fqn") != "cdktf.IResolvable"]
        return bool(kinds) and all("primitive" in u and u["primitive"] != "any" for u in kinds)
    return False


def _is_plain(t: dict) -> bool:
    """A scalar, or a list/set/map of scalars: block syntax is never valid."""
    if _has_any(t) or _struct_ref(t)[0]:
        return False
    if _is_scalar(t):
        return True
    if "collection" in t:
        return _is_scalar(t["collection"]["elementtype"])
    return False


class Extractor:
    def __init__(self, types: dict):
        self.types = types
        self.defs: dict[str, dict] = {}
        self.referenced: set[str] = set()
        self.versions: set[str] = set()

    def hcl_name(self, iface: str, prop: dict) -> str:
        docs = prop.get("docs", {})
        text = docs.get("summary", "") + "\n" + docs.get("remarks", "")
        names = set()
        for m in LINK_RE.finditer(text):
            label = m.group("label")
            if m.group("anchor") and "#" in label:
                if label.split("#", 1)[1] != m.group("anchor"):
                    raise ExtractError(f"{iface}.{prop['name']}: link anchor and label disagree: {m.group(0)}")
                names.add(m.group("anchor"))
                self.versions.add(m.group("ver"))
        if len(names) != 1:
            raise ExtractError(
                f"{iface}.{prop['name']}: expected one registry anchor in the docs, found {sorted(names)}"
            )
        return names.pop()

    def node(self, fqn: str, stack: tuple[str, ...]) -> dict:
        short = fqn[len(PREFIX):]
        if fqn in stack:
            self.referenced.add(fqn)
            return {"$ref": short}
        iface = self.types.get(fqn)
        if iface is None or iface.get("kind") != "interface":
            raise ExtractError(f"{fqn}: not an interface in the assembly")
        arguments: dict[str, bool] = {}
        blocks: dict[str, dict] = {}
        objects: dict[str, dict] = {}
        plain: list[str] = []
        for prop in iface.get("properties", []):
            name = self.hcl_name(fqn, prop)
            if name in arguments or name in blocks:
                raise ExtractError(f"{fqn}: two properties map to HCL name {name!r}")
            required = not prop.get("optional", False)
            summary = prop.get("docs", {}).get("summary", "").strip()
            sfqn, shape = _struct_ref(prop["type"])
            if summary == f"{name} block.":
                block: dict[str, Any] = {"required": required}
                if sfqn is None:
                    # the generator replaced the schema by `any` (too deep or recursive)
                    block["opaque"] = True
                else:
                    block["max_one"] = shape == "one"
                    block.update(self.node(sfqn, stack + (fqn,)))
                blocks[name] = block
            else:
                arguments[name] = required
                if sfqn is not None:
                    objects[name] = self.node(sfqn, stack + (fqn,))
                elif _is_plain(prop["type"]):
                    plain.append(name)
        out: dict[str, Any] = {"arguments": arguments, "blocks": blocks}
        if objects:
            out["objects"] = objects
        if plain:
            out["plain"] = sorted(plain)
        if fqn in self.referenced:
            self.defs[short] = out
        return out


def extract(jsii_path: str) -> dict:
    with open(jsii_path, encoding="utf-8") as f:
        assembly = json.load(f)
    types = assembly["types"]
    ex = Extractor(types)
    schema: dict[str, Any] = {"resource": {}, "data": {}}
    provider_config = None
    for fqn in sorted(types):
        t = types[fqn]
        if t.get("kind") != "class" or t.get("base") not in BASES:
            continue
        kind = BASES[t["base"]]
        summary = t.get("docs", {}).get("summary", "")
        m = LINK_RE.search(summary)
        if not m or not summary.startswith("Represents a "):
            raise ExtractError(f"{fqn}: unexpected class summary {summary!r}")
        ex.versions.add(m.group("ver"))
        params = {p["name"]: p for p in t.get("initializer", {}).get("parameters", [])}
        if "config" not in params or "fqn" not in params["config"]["type"]:
            raise ExtractError(f"{fqn}: constructor has no config interface")
        config = params["config"]["type"]["fqn"]
        node = ex.node(config, ())
        if kind == "provider":
            provider_config = node
            continue
        expected = {"resource": "resources", "data": "data-sources"}[kind]
        if m.group("kind") != expected:
            raise ExtractError(f"{fqn}: {kind} class links to {m.group('kind')}")
        tf_type = m.group("label")
        if not re.fullmatch(r"aws_[a-z0-9_]+", tf_type):
            raise ExtractError(f"{fqn}: unexpected Terraform type name {tf_type!r}")
        if tf_type in schema[kind]:
            raise ExtractError(f"{fqn}: duplicate {kind} type {tf_type}")
        schema[kind][tf_type] = node
    if provider_config is None:
        raise ExtractError("no provider class in the assembly")
    if len(ex.versions) != 1:
        raise ExtractError(f"expected one provider version in the registry links, found {sorted(ex.versions)}")
    if len(schema["resource"]) < 1000 or len(schema["data"]) < 300:
        raise ExtractError(
            f"implausibly few types: {len(schema['resource'])} resources, {len(schema['data'])} data sources"
        )
    return {
        "format": CACHE_FORMAT,
        "provider": {"source": "hashicorp/aws", "version": ex.versions.pop()},
        "package": {"name": assembly.get("name"), "version": assembly.get("version")},
        "provider_config": provider_config,
        "resource": schema["resource"],
        "data": schema["data"],
        "definitions": ex.defs,
    }


def _cache_key(jsii_path: str) -> dict:
    st = os.stat(jsii_path)
    with open(__file__, "rb") as f:
        me = hashlib.sha256(f.read()).hexdigest()
    pkg_version = None
    pkg_json = os.path.join(os.path.dirname(jsii_path), "package.json")
    if os.path.exists(pkg_json):
        with open(pkg_json, encoding="utf-8") as f:
            pkg_version = json.load(f).get("version")
    return {"jsii_size": st.st_size, "package_version": pkg_version, "extractor": me}


def load_schema(jsii_path: str | None, cache_path: str, log=print) -> dict:
    """Load the cache, (re)building it from the jsii first when it is stale."""
    key = _cache_key(jsii_path) if jsii_path else None
    if os.path.exists(cache_path):
        with open(cache_path, encoding="utf-8") as f:
            cached = json.load(f)
        if cached.get("format") == CACHE_FORMAT and (key is None or cached.get("key") == key):
            return cached
    if not jsii_path:
        raise SystemExit(f"provider_schema: no usable cache at {cache_path} and no --jsii to build one from")
    t0 = time.monotonic()
    schema = extract(jsii_path)
    schema["key"] = key
    os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(cache_path)), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(schema, f, separators=(",", ":"), sort_keys=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, cache_path)
    log(
        f"provider_schema: extracted hashicorp/aws {schema['provider']['version']} schema "
        f"({len(schema['resource'])} resources, {len(schema['data'])} data sources) "
        f"from {schema['package']['name']}@{schema['package']['version']} in {time.monotonic() - t0:.1f}s"
    )
    return schema


# --------------------------------------------------------------------------
# Version constraints (Terraform / hashicorp/go-version semantics)
# --------------------------------------------------------------------------

_CONSTRAINT_RE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+)*)(?:-[0-9A-Za-z.-]+)?\s*$")


def _vtuple(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


def constraint_admits(constraint: str, version: str) -> bool:
    """Whether `version` satisfies a Terraform version constraint string."""
    v = _vtuple(version)
    for part in constraint.split(","):
        m = _CONSTRAINT_RE.match(part)
        if not m:
            raise ValueError(f"malformed version constraint {constraint!r}")
        op, c = m.group(1) or "=", _vtuple(m.group(2))
        width = max(len(v), len(c))
        vv = v + (0,) * (width - len(v))
        cc = c + (0,) * (width - len(c))
        ok = {
            "=": vv == cc,
            "!=": vv != cc,
            ">": vv > cc,
            ">=": vv >= cc,
            "<": vv < cc,
            "<=": vv <= cc,
            "~>": vv >= cc and (len(c) == 1 or v[: len(c) - 1] == c[:-1]),
        }[op]
        if not ok:
            return False
    return True


# --------------------------------------------------------------------------
# Checking parsed configuration
# --------------------------------------------------------------------------

RESOURCE_META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
DATA_META = {"count", "for_each", "depends_on", "provider", "lifecycle"}
LIFECYCLE_KEYS = {
    "resource": {
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
        "precondition",
        "postcondition",
    },
    "data": {"precondition", "postcondition"},
}
CONDITION_KEYS = {"condition", "error_message"}
PROVISIONERS = {"local-exec", "remote-exec", "file"}
DYNAMIC_KEYS = {"for_each", "iterator", "labels", "content"}
TOP_LEVEL = {
    "terraform",
    "provider",
    "resource",
    "data",
    "ephemeral",
    "variable",
    "output",
    "locals",
    "module",
    "moved",
    "import",
    "removed",
    "check",
}
TERRAFORM_KEYS = {"required_version", "required_providers", "backend", "cloud", "experiments", "provider_meta"}
PROVIDER_META = {"alias", "version"}
BUILTIN_RESOURCES = {"terraform_data"}
BUILTIN_DATA = {"terraform_remote_state"}
AWS_SOURCES = {"hashicorp/aws", "registry.terraform.io/hashicorp/aws"}
REF_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?\}$")


def _is_blocks(value: Any) -> bool:
    """hcl2json renders every block as a list of objects (one per block)."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value) and len(value) > 0


def _suggest(name: str, candidates: Iterator[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Checker:
    def __init__(self, schema: dict):
        self.schema = schema
        self.defs = schema.get("definitions", {})
        self.problems: list[str] = []
        self.counts = {"resource": 0, "data": 0, "provider": 0, "files": 0}

    # -- helpers -----------------------------------------------------------

    def resolve(self, node: dict) -> dict:
        if "$ref" in node:
            return self.defs[node["$ref"]]
        return node

    def report(self, file: str, address: str, problem: str) -> None:
        self.problems.append(f"{file}:{address}: {problem}")

    # -- bodies ------------------------------------------------------------

    def check_body(self, file: str, address: str, body: dict, node: dict, path: str, meta: set[str] | None = None,
                   kind: str = "resource") -> None:
        """Check one block body (a dict from hcl2json) against a schema node."""
        node = self.resolve(node)
        arguments: dict[str, bool] = node.get("arguments", {})
        blocks: dict[str, dict] = node.get("blocks", {})
        objects: dict[str, dict] = node.get("objects", {})
        plain = set(node.get("plain", ()))
        present: set[str] = set()

        def where(name: str) -> str:
            return f"{path}.{name}" if path else name

        for key, value in body.items():
            if meta is not None and key in meta:
                self.check_meta(file, address, key, value, node, kind)
                continue
            if key == "dynamic":
                present |= self.check_dynamic(file, address, value, node, path)
                continue
            if key in blocks:
                present.add(key)
                block = blocks[key]
                if not _is_blocks(value):
                    self.report(file, address, f'"{where(key)}" is a block: write `{key} {{ ... }}`, not `{key} = ...`')
                    continue
                if block.get("max_one") and len(value) > 1:
                    self.report(file, address, f'at most one "{where(key)}" block is allowed, found {len(value)}')
                if block.get("opaque"):
                    continue
                for item in value:
                    self.check_body(file, address, item, block, where(key))
            elif key in arguments:
                if value is not None:
                    present.add(key)
                if key in plain and _is_blocks(value):
                    self.report(file, address, f'"{where(key)}" is an argument, not a block: write `{key} = ...`')
                elif key in objects:
                    items = value if _is_blocks(value) else [value] if isinstance(value, dict) else []
                    for item in items:
                        self.check_body(file, address, item, objects[key], where(key))
            else:
                what = "block type" if _is_blocks(value) else "argument"
                self.report(
                    file, address, f'unknown {what} "{where(key)}"{_suggest(key, list(arguments) + list(blocks))}'
                )
        for name, required in arguments.items():
            if required and name not in present:
                self.report(file, address, f'missing required argument "{where(name)}"')
        for name, block in blocks.items():
            if block.get("required") and name not in present:
                self.report(file, address, f'missing required block "{where(name)}"')

    def check_dynamic(self, file: str, address: str, value: Any, node: dict, path: str) -> set[str]:
        present: set[str] = set()
        blocks = node.get("blocks", {})
        objects = node.get("objects", {})
        if not isinstance(value, dict):
            self.report(file, address, "malformed dynamic block")
            return present
        for label, items in value.items():
            name = f"{path}.{label}" if path else label
            target = blocks.get(label) or objects.get(label)
            if target is None:
                self.report(
                    file, address,
                    f'dynamic block "{name}": unknown block type{_suggest(label, list(blocks) + list(objects))}',
                )
                continue
            present.add(label)
            for item in items if isinstance(items, list) else []:
                for k in item:
                    if k not in DYNAMIC_KEYS:
                        self.report(file, address, f'dynamic block "{name}": unexpected "{k}"')
                if "for_each" not in item:
                    self.report(file, address, f'dynamic block "{name}": missing "for_each"')
                contents = item.get("content")
                if not _is_blocks(contents) or len(contents) != 1:
                    self.report(file, address, f'dynamic block "{name}": needs exactly one "content" block')
                    continue
                if not target.get("opaque"):
                    self.check_body(file, address, contents[0], target, name)
        return present

    def check_meta(self, file: str, address: str, key: str, value: Any, node: dict, kind: str) -> None:
        if key == "lifecycle":
            if not _is_blocks(value):
                self.report(file, address, '"lifecycle" is a block')
                return
            allowed = LIFECYCLE_KEYS[kind]
            names = set(node.get("arguments", {})) | set(node.get("blocks", {}))
            for item in value:
                for k, v in item.items():
                    if k not in allowed:
                        self.report(file, address, f'unknown lifecycle argument "{k}"{_suggest(k, allowed)}')
                    elif k in ("precondition", "postcondition"):
                        for cond in v if _is_blocks(v) else []:
                            for ck in cond:
                                if ck not in CONDITION_KEYS:
                                    self.report(file, address, f'unknown argument "lifecycle.{k}.{ck}"')
                            for ck in sorted(CONDITION_KEYS - set(cond)):
                                self.report(file, address, f'missing required argument "lifecycle.{k}.{ck}"')
                    elif k == "ignore_changes" and isinstance(v, list):
                        for ref in v:
                            m = re.match(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)", ref) if isinstance(ref, str) else None
                            if m and m.group(1) not in names:
                                self.report(
                                    file, address,
                                    f'lifecycle.ignore_changes refers to unknown attribute "{m.group(1)}"'
                                    f"{_suggest(m.group(1), names)}",
                                )
        elif key == "provisioner":
            if not isinstance(value, dict):
                self.report(file, address, '"provisioner" is a labelled block')
                return
            for ptype in value:
                if ptype not in PROVISIONERS:
                    self.report(file, address, f'unknown provisioner type "{ptype}"')
        elif key == "connection":
            if not _is_blocks(value):
                self.report(file, address, '"connection" is a block')
        elif key == "depends_on":
            if not isinstance(value, list):
                self.report(file, address, '"depends_on" must be a list of references')
        elif key == "provider":
            if not (isinstance(value, str) and REF_RE.match(value)):
                self.report(file, address, '"provider" must be a provider reference such as aws or aws.alias')

    # -- top level ---------------------------------------------------------

    def check_dirs(self, parsed: dict) -> None:
        for root, files in parsed["dirs"].items():
            modules: dict[str, list[tuple[str, dict]]] = {}
            for rel, body in files.items():
                modules.setdefault(os.path.dirname(rel), []).append((os.path.join(root, rel), body))
            for mod, members in sorted(modules.items()):
                self.check_module(os.path.join(root, mod) if mod else root, members)

    def check_module(self, module_dir: str, members: list[tuple[str, dict]]) -> None:
        seen: dict[str, str] = {}
        terraform_blocks: list[tuple[str, dict]] = []
        providers: dict[str, list[tuple[str, dict]]] = {}
        provider_refs: list[tuple[str, str, str]] = []
        uses_aws = False
        for file, body in members:
            self.counts["files"] += 1
            for top, value in body.items():
                if top not in TOP_LEVEL:
                    self.report(file, top, f'unsupported top-level block or argument "{top}"')
            for body_tf in body.get("terraform", []):
                terraform_blocks.append((file, body_tf))
            for name, items in body.get("provider", {}).items():
                for item in items:
                    providers.setdefault(name, []).append((file, item))
            for kind in ("resource", "data"):
                for tf_type, instances in body.get(kind, {}).items():
                    if tf_type.startswith("aws_"):
                        uses_aws = True
                    for name, bodies in instances.items():
                        address = f"{tf_type}.{name}" if kind == "resource" else f"data.{tf_type}.{name}"
                        if address in seen or len(bodies) > 1:
                            self.report(file, address, f"duplicate {kind} block (first in {seen.get(address, file)})")
                        seen.setdefault(address, file)
                        for item in bodies:
                            self.check_instance(file, kind, tf_type, address, item)
                            ref = item.get("provider")
                            if isinstance(ref, str) and REF_RE.match(ref):
                                provider_refs.append((file, address, ref))
        self.check_providers(providers, provider_refs)
        if providers.get("aws"):
            uses_aws = True
        self.check_terraform(module_dir, terraform_blocks, uses_aws)

    def check_instance(self, file: str, kind: str, tf_type: str, address: str, body: dict) -> None:
        self.counts[kind] += 1
        types = self.schema[kind]
        if tf_type not in types:
            if tf_type in (BUILTIN_RESOURCES if kind == "resource" else BUILTIN_DATA):
                return
            what = "resource type" if kind == "resource" else "data source type"
            version = self.schema["provider"]["version"]
            self.report(
                file, address,
                f'unknown {what} "{tf_type}" (not in hashicorp/aws {version}){_suggest(tf_type, types)}',
            )
            return
        meta = RESOURCE_META if kind == "resource" else DATA_META
        if "count" in body and "for_each" in body:
            self.report(file, address, '"count" and "for_each" are mutually exclusive')
        self.check_body(file, address, body, types[tf_type], "", meta=meta, kind=kind)

    def check_providers(self, providers: dict, refs: list[tuple[str, str, str]]) -> None:
        configured: dict[str, set[str | None]] = {}
        for name, items in providers.items():
            for file, item in items:
                self.counts["provider"] += 1
                address = f'provider["{name}"]'
                alias = item.get("alias")
                configured.setdefault(name, set()).add(alias)
                if name != "aws":
                    self.report(file, address, f'provider "{name}" is not covered by this checker (only hashicorp/aws)')
                    continue
                body = {k: v for k, v in item.items() if k not in PROVIDER_META or k == "alias"}
                self.check_body(file, address, body, self.schema["provider_config"], "")
        for file, address, ref in refs:
            m = REF_RE.match(ref)
            name, alias = m.group(1), m.group(2)
            if alias is not None and alias not in configured.get(name, set()):
                self.report(file, address, f'provider "{name}.{alias}" is not configured in this module')

    def check_terraform(self, module_dir: str, blocks: list[tuple[str, dict]], uses_aws: bool) -> None:
        version = self.schema["provider"]["version"]
        next_major = f"{_vtuple(version)[0] + 1}.0.0"
        aws_entries: list[tuple[str, Any]] = []
        for file, body in blocks:
            for key in body:
                if key not in TERRAFORM_KEYS:
                    self.report(file, "terraform", f'unknown argument or block "{key}"{_suggest(key, TERRAFORM_KEYS)}')
            rp = body.get("required_providers")
            if rp is None:
                continue
            if not _is_blocks(rp):
                self.report(file, "terraform", '"required_providers" is a block')
                continue
            for item in rp:
                if "aws" in item:
                    aws_entries.append((file, item["aws"]))
        if not aws_entries:
            if uses_aws:
                self.report(
                    module_dir, "terraform",
                    'no terraform { required_providers { aws = { source = "hashicorp/aws", version = ... } } }',
                )
            return
        for file, entry in aws_entries:
            where = "terraform.required_providers.aws"
            if not isinstance(entry, dict):
                self.report(file, where, 'use the object form { source = "hashicorp/aws", version = "..." }')
                continue
            source = entry.get("source")
            if source is not None and str(source).lower() not in AWS_SOURCES:
                self.report(file, where, f'source is "{source}", expected "hashicorp/aws"')
            constraint = entry.get("version")
            if not isinstance(constraint, str) or not constraint.strip():
                self.report(file, where, "missing version constraint")
                continue
            try:
                if not constraint_admits(constraint, version):
                    self.report(
                        file, where,
                        f'version constraint "{constraint}" does not admit {version}, the provider version of the schema',
                    )
                elif constraint_admits(constraint, next_major):
                    self.report(
                        file, where,
                        f'version constraint "{constraint}" admits the next major version {next_major}; pin the major (e.g. "~> 6.0")',
                    )
            except ValueError as e:
                self.report(file, where, str(e))


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--jsii",
        default=os.path.join(here, "node_modules", "@cdktf", "provider-aws", ".jsii"),
        help="the .jsii of @cdktf/provider-aws (default: the one installed by ./run)",
    )
    ap.add_argument(
        "--cache",
        default=os.path.join(here, ".cache", "aws-provider-schema.json"),
        help="where the extracted schema is cached (default: .cache/aws-provider-schema.json)",
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("schema", help="extract the schema cache if it is missing or stale, and describe it")
    p_check = sub.add_parser("check", help="check hcl2json.mjs output (a file, or - for stdin)")
    p_check.add_argument("parsed", help="JSON written by hcl2json.mjs")
    p_show = sub.add_parser("show", help="print the schema of one type, e.g. aws_vpc or data.aws_iam_policy_document")
    p_show.add_argument("type")
    args = ap.parse_args(argv)

    jsii = args.jsii if os.path.exists(args.jsii) else None
    schema = load_schema(jsii, args.cache, log=lambda m: print(m, file=sys.stderr))

    if args.cmd == "schema":
        print(
            f"hashicorp/aws {schema['provider']['version']} from {schema['package']['name']}@{schema['package']['version']}: "
            f"{len(schema['resource'])} resources, {len(schema['data'])} data sources, cache {args.cache}"
        )
        return 0
    if args.cmd == "show":
        kind, name = ("data", args.type[5:]) if args.type.startswith("data.") else ("resource", args.type)
        if args.type == "provider":
            node = schema["provider_config"]
        elif name in schema[kind]:
            node = schema[kind][name]
        else:
            print(f"provider_schema: unknown {kind} type {name}", file=sys.stderr)
            return 1
        json.dump(node, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0

    if args.parsed == "-":
        parsed = json.load(sys.stdin)
    else:
        with open(args.parsed, encoding="utf-8") as f:
            parsed = json.load(f)
    checker = Checker(schema)
    checker.check_dirs(parsed)
    for line in checker.problems:
        print(line)
    c = checker.counts
    summary = (
        f"provider_schema: {c['files']} files, {c['resource']} resources, {c['data']} data sources, "
        f"{c['provider']} provider blocks checked against hashicorp/aws {schema['provider']['version']}: "
        f"{len(checker.problems)} problem(s)"
    )
    print(summary)
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
