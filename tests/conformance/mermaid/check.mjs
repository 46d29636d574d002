// Reads each picture `meshc graph` drew twice, with parsers nobody here
// wrote: the Mermaid text with Mermaid's own flowchart parser (run under
// jsdom, as no browser is at hand), the DOT text with Graphviz (`dot -Tjson`,
// the layout it would draw, with every label as it would be shown). Each
// reading must be clean, and the two must agree: the same nodes with the
// same lines of text and the same kind of shape, the same edges with the
// same labels and strokes, the same clusters holding the same members.
//
//   node check.mjs DIR                    DIR holds NAME.mmd and NAME.dot
//   node check.mjs --expect-failures DIR  each pair must be rejected for the
//                                         reason on the first line of its
//                                         .mmd (`%% expect: TEXT`)
//
// Prints a line per picture; exit status 1 if any picture failed (or, with
// --expect-failures, was accepted or rejected for another reason).

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

// The kinds of shape, as Mermaid names the shape of a vertex and as the DOT
// text draws it (`shape`, plus `rounded` in `style`).
const SHAPES = {
  square: "box",
  round: "box rounded",
  cylinder: "cylinder",
  subroutine: "component",
  odd: "cds",
  hexagon: "hexagon",
  lean_right: "parallelogram",
  diamond: "diamond",
  stadium: "oval",
  trapezoid: "invtrapezium",
  circle: "circle",
};
const STROKES = { normal: "solid", thick: "bold", dotted: "dashed" };

/** The lines a Mermaid label shows: Mermaid replaces `#name;` entity codes
 * with private placeholders while parsing and turns them into HTML entities
 * when it renders, and breaks lines at `<br>`. */
function mermaidLines(text) {
  const html = String(text ?? "")
    .replace(/ﬂ°°/g, "&#")
    .replace(/ﬂ°/g, "&")
    .replace(/¶ß/g, ";");
  if (html === "") return [];
  return html.split(/<br\s*\/?>/i).map((line) => {
    const area = document.createElement("textarea");
    area.innerHTML = line;
    return area.value;
  });
}

async function readMermaid(text) {
  const problems = [];
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
  {
    const nodes = {};
    for (const [id, vertex] of db.getVertices()) {
      if (vertex.type === undefined) {
        problems.push(`node ${id} is linked but never declared`);
      }
      nodes[id] = {
        lines: mermaidLines(vertex.text),
        shape: SHAPES[vertex.type] ?? `mermaid ${vertex.type}`,
        derived: [...(vertex.classes ?? [])].includes("derived"),
      };
    }
    const edges = db.getEdges().map((edge) => ({
      from: edge.start,
      to: edge.end,
      lines: mermaidLines(edge.text),
      stroke: STROKES[edge.stroke] ?? `mermaid ${edge.stroke}`,
    }));
    const subgraphs = db.getSubGraphs();
    const clusterIds = new Set(subgraphs.map((subgraph) => subgraph.id));
    const clusters = {};
    for (const subgraph of subgraphs) {
      clusters[subgraph.id] = {
        lines: mermaidLines(subgraph.title),
        nodes: subgraph.nodes.filter((id) => !clusterIds.has(id)).sort(),
        clusters: subgraph.nodes.filter((id) => clusterIds.has(id)).sort(),
      };
    }
    return { nodes, edges, clusters, problems };
  }
}

function readDot(text) {
  const problems = [];
  const run = spawnSync("dot", ["-Tjson"], { input: text, encoding: "utf8" });
  if (run.error) throw new Error(`cannot run Graphviz's dot: ${run.error.message}`);
  if (run.status !== 0 || run.stderr.trim() !== "") {
    problems.push(`dot says: ${run.stderr.trim() || `exit status ${run.status}`}`);
    return { nodes: {}, edges: [], clusters: {}, problems };
  }
  const layout = JSON.parse(run.stdout);
  const shown = (item) =>
    (item._ldraw_ ?? []).filter((op) => op.op === "T").map((op) => op.text);
  const objects = layout.objects ?? [];
  const byId = new Map(objects.map((object) => [object._gvid, object]));
  const nodes = {};
  const clusters = {};
  for (const object of objects) {
    if (object.name.startsWith("cluster_")) {
      const children = (object.subgraphs ?? []).map((id) => byId.get(id));
      const nested = new Set(children.flatMap((child) => child.nodes ?? []));
      clusters[object.name.slice("cluster_".length)] = {
        lines: shown(object),
        nodes: (object.nodes ?? [])
          .filter((id) => !nested.has(id))
          .map((id) => byId.get(id).name)
          .sort(),
        clusters: children.map((child) => child.name.slice("cluster_".length)).sort(),
      };
    } else if (object.nodes === undefined) {
      const styles = String(object.style ?? "").split(",");
      const rounded = styles.includes("rounded") ? " rounded" : "";
      nodes[object.name] = {
        lines: shown(object),
        shape: `${object.shape}${rounded}`,
        derived: styles.includes("dashed"),
      };
    } else {
      problems.push(`subgraph ${object.name} is not a cluster`);
    }
  }
  const edges = (layout.edges ?? []).map((edge) => ({
    from: byId.get(edge.tail).name,
    to: byId.get(edge.head).name,
    lines: shown(edge),
    stroke: edge.style ?? "solid",
  }));
  return { nodes, edges, clusters, problems };
}

/** The first difference between two readings, or null. */
function difference(mermaidReading, dotReading) {
  for (const part of ["nodes", "clusters"]) {
    const ids = (reading) => Object.keys(reading[part]).sort().join(" ");
    if (ids(mermaidReading) !== ids(dotReading)) {
      return `${part} differ:\n  mermaid: ${ids(mermaidReading)}\n  dot:     ${ids(dotReading)}`;
    }
    for (const id of Object.keys(mermaidReading[part])) {
      const a = JSON.stringify(mermaidReading[part][id]);
      const b = JSON.stringify(dotReading[part][id]);
      if (a !== b) return `${id} differs:\n  mermaid: ${a}\n  dot:     ${b}`;
    }
  }
  const edges = (reading) => reading.edges.map((edge) => JSON.stringify(edge)).sort();
  const a = edges(mermaidReading);
  const b = edges(dotReading);
  if (a.join("\n") !== b.join("\n")) {
    const onlyIn = (these, those) => these.filter((edge) => !those.includes(edge)).join("\n    ");
    return `edges differ (${a.length} in mermaid, ${b.length} in dot):\n  only in mermaid: ${onlyIn(a, b)}\n  only in dot:     ${onlyIn(b, a)}`;
  }
  return null;
}

/** Both readings of one picture: the problems found (none when it passed)
 * and Mermaid's reading. */
async function check(mermaidText, dotText) {
  try {
    await mermaid.parse(mermaidText);
  } catch (error) {
    return { problems: [`mermaid cannot parse it: ${error.message ?? error}`], reading: null };
  }
  const mermaidReading = await readMermaid(mermaidText);
  const dotReading = readDot(dotText);
  const problems = [...mermaidReading.problems, ...dotReading.problems];
  if (problems.length === 0) {
    const diff = difference(mermaidReading, dotReading);
    if (diff !== null) problems.push(diff);
  }
  if (problems.length === 0 && Object.keys(mermaidReading.nodes).length === 0) {
    problems.push("no node");
  }
  return { problems, reading: mermaidReading };
}

const args = process.argv.slice(2);
const expectFailures = args[0] === "--expect-failures";
const dir = expectFailures ? args[1] : args[0];
if (!dir) {
  console.error("usage: node check.mjs [--expect-failures] DIR");
  process.exit(2);
}
let failed = 0;
const names = readdirSync(dir)
  .filter((file) => file.endsWith(".mmd"))
  .map((file) => file.slice(0, -".mmd".length))
  .sort();
if (names.length === 0) {
  console.error(`check.mjs: no .mmd file in ${dir}`);
  process.exit(2);
}
for (const name of names) {
  const mermaidText = readFileSync(join(dir, `${name}.mmd`), "utf8");
  const dotText = readFileSync(join(dir, `${name}.dot`), "utf8");
  const { problems, reading } = await check(mermaidText, dotText);
  if (expectFailures) {
    const expected = mermaidText.match(/^%% expect: (.*)$/m)?.[1];
    if (expected === undefined) {
      failed += 1;
      console.log(`FAILED  ${name}: no \`%% expect:\` line`);
    } else if (problems.some((problem) => problem.includes(expected))) {
      console.log(`ok      ${name}: rejected (${expected})`);
    } else {
      failed += 1;
      const why = problems.length === 0 ? "accepted" : `rejected for another reason: ${problems.join("; ")}`;
      console.log(`FAILED  ${name}: ${why}; expected "${expected}"`);
    }
  } else if (problems.length === 0) {
    const { nodes, edges, clusters } = reading;
    console.log(
      `ok      ${name} (${Object.keys(nodes).length} nodes, ${edges.length} edges, ${Object.keys(clusters).length} clusters)`,
    );
  } else {
    failed += 1;
    console.log(`FAILED  ${name}: ${problems.join("; ")}`);
  }
}
console.log(`${names.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
