#!/usr/bin/env node
// Parse every Terraform `.tf` file under the given directories with
// HashiCorp's own HCL parser (npm @cdktf/hcl2json, the hcl/v2 Go parser
// compiled to WebAssembly) and print one JSON document:
//
//   {"parser": "@cdktf/hcl2json@<version>",
//    "dirs": {"<dir as given>": {"<path relative to dir>": <parsed body>, ...}}}
//
// Usage: node hcl2json.mjs [--out FILE] DIR [DIR...]
//
// Any parse error is fatal: every failing file is reported as
// `hcl2json: <file>: <message>` on stderr and the exit status is 1.
// A directory without `.tf` files, or holding `.tf.json` files (which this
// checker does not read), is an error too: a conformance gate that silently
// checks nothing is worse than one that fails.

import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);

function usage(msg) {
  if (msg) console.error(`hcl2json: ${msg}`);
  console.error("usage: node hcl2json.mjs [--out FILE] DIR [DIR...]");
  process.exit(2);
}

const args = process.argv.slice(2);
let out = null;
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") {
    out = args[++i];
    if (!out) usage("--out needs a file");
  } else if (args[i] === "-h" || args[i] === "--help") {
    usage();
  } else {
    dirs.push(args[i]);
  }
}
if (dirs.length === 0) usage("no directory given");

let hcl2json;
let parserVersion;
try {
  hcl2json = require("@cdktf/hcl2json");
  parserVersion = require("@cdktf/hcl2json/package.json").version;
} catch (e) {
  console.error(
    `hcl2json: cannot load @cdktf/hcl2json (${e.message}); run tests/conformance/run, which installs it`,
  );
  process.exit(2);
}

// Directories Terraform itself never loads configuration from.
const SKIP_DIRS = new Set([".terraform", "node_modules", ".git"]);

function walk(dir, rel, found) {
  const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(dir, r, found);
    } else if (e.name.endsWith(".tf.json")) {
      found.json.push(r);
    } else if (e.name.endsWith(".tf")) {
      found.tf.push(r);
    }
  }
  return found;
}

const result = { parser: `@cdktf/hcl2json@${parserVersion}`, dirs: {} };
const errors = [];

for (const dir of dirs) {
  let st;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    errors.push(`${dir}: no such directory`);
    continue;
  }
  if (!st.isDirectory()) {
    errors.push(`${dir}: not a directory`);
    continue;
  }
  const found = walk(dir, "", { tf: [], json: [] });
  for (const j of found.json) {
    errors.push(
      `${path.join(dir, j)}: .tf.json files are not checked by this conformance checker; emit HCL (.tf)`,
    );
  }
  if (found.tf.length === 0) {
    errors.push(`${dir}: no .tf files found`);
    continue;
  }
  const parsed = {};
  for (const rel of found.tf) {
    const file = path.join(dir, rel);
    const contents = fs.readFileSync(file, "utf8");
    try {
      parsed[rel] = await hcl2json.parse(file, contents);
    } catch (e) {
      const msg = String(e && e.message ? e.message : e).replace(/\s+/g, " ").trim();
      errors.push(`${file}: parse error: ${msg}`);
    }
  }
  result.dirs[dir] = parsed;
}

if (errors.length > 0) {
  for (const e of errors) console.error(`hcl2json: ${e}`);
  process.exit(1);
}

const text = JSON.stringify(result);
if (out) {
  fs.writeFileSync(out, text);
  for (const [dir, files] of Object.entries(result.dirs)) {
    console.log(`hcl2json: ${dir}: parsed ${Object.keys(files).length} .tf file(s)`);
  }
} else {
  process.stdout.write(text + "\n");
}
// The WebAssembly runtime keeps the event loop alive; leave explicitly.
process.exit(0);
