#!/usr/bin/env node
// Tokenizes .mesh files with the TextMate grammar of this extension, using
// the tokenizer VS Code itself runs (vscode-textmate on vscode-oniguruma),
// and checks two things:
//
// 1. Expectations: named tokens of examples/shop.mesh and of small inline
//    sources have the scopes they must have (a declaration keyword is a
//    storage type, `30s` is a duration whose unit is scoped on its own, ...).
// 2. Snapshots: the token dump of every .mesh file in examples/,
//    tests/ui/pass/ and tests/syntax/ok/ equals the committed
//    test/snapshots/<file>.scopes. `--update` rewrites the snapshots.
//
// A dump has one line per token, whitespace-only tokens left out:
//
//   LINE:FIRST-LAST TEXT  SCOPE SCOPE ...
//
// LINE and columns count from 1, LAST is the token's last column, and the
// scopes are the token's scopes from the outermost in, without the
// `source.mesh` every token has.

import { readFileSync, writeFileSync, readdirSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, '..');
const root = join(extension, '..', '..');
const snapshots = join(here, 'snapshots');
const update = process.argv.includes('--update');
const SOURCE_DIRS = ['examples', 'tests/ui/pass', 'tests/syntax/ok'];

let failures = 0;
let passes = 0;

/** @param {string} message */
function fail(message) {
  failures++;
  console.error(`FAIL ${message}`);
}

function pass() {
  passes++;
}

// ---------------------------------------------------------------------------
// The extension's manifest: the grammar and configuration it contributes.

const manifest = JSON.parse(readFileSync(join(extension, 'package.json'), 'utf8'));
const language = manifest.contributes.languages.find(l => l.id === 'mesh');
const contributed = manifest.contributes.grammars.find(g => g.language === 'mesh');
if (manifest.name !== 'mesh-language' || manifest.publisher !== 'meshc') {
  fail('package.json: the extension is meshc.mesh-language');
}
if (!language || !language.extensions.includes('.mesh')) {
  fail('package.json: the mesh language is contributed for *.mesh');
}
if (!contributed || contributed.scopeName !== 'source.mesh') {
  fail('package.json: the grammar is contributed with scope source.mesh');
}

const configuration = JSON.parse(readFileSync(join(extension, language.configuration), 'utf8'));
{
  // VS Code reads these as JavaScript regular expressions.
  const patterns = [
    configuration.wordPattern,
    configuration.folding.markers.start,
    configuration.folding.markers.end,
    configuration.indentationRules.increaseIndentPattern,
    configuration.indentationRules.decreaseIndentPattern,
    ...configuration.onEnterRules.map(rule => rule.beforeText),
  ];
  for (const pattern of patterns) {
    try {
      new RegExp(pattern);
    } catch (error) {
      fail(`language-configuration.json: ${pattern}: ${error.message}`);
    }
  }
  const start = new RegExp(configuration.folding.markers.start);
  const end = new RegExp(configuration.folding.markers.end);
  const expectations = [
    [start, 'service order {', true],
    [start, '  calls payment {   // why', true],
    [start, '// region Services', true],
    [start, '  tags = { team = "a" }', false],
    [end, '}', true],
    [end, '  }', true],
    [end, '// endregion', true],
  ];
  for (const [regex, line, expected] of expectations) {
    if (regex.test(line) !== expected) fail(`folding marker ${regex} on ${JSON.stringify(line)}: expected ${expected}`);
    else pass();
  }
  if (configuration.comments.lineComment !== '//' || configuration.comments.blockComment.join(' ') !== '/* */') {
    fail('language-configuration.json: comments are // and /* */');
  }
}

// ---------------------------------------------------------------------------
// The tokenizer.

const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
await oniguruma.loadWASM(wasm);

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: sources => new oniguruma.OnigScanner(sources),
    createOnigString: text => new oniguruma.OnigString(text),
  }),
  loadGrammar: async scopeName => {
    if (scopeName !== 'source.mesh') return null;
    const path = join(extension, contributed.path);
    return vsctm.parseRawGrammar(readFileSync(path, 'utf8'), path);
  },
});
const grammar = await registry.loadGrammar('source.mesh');

// Every regular expression of the grammar compiles, including those of rules
// no test source reaches (vscode-textmate compiles a rule only when used).
{
  const raw = JSON.parse(readFileSync(join(extension, contributed.path), 'utf8'));
  if (raw.scopeName !== 'source.mesh') fail(`${contributed.path}: scopeName is ${raw.scopeName}`);
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => walk(child, `${path}[${i}]`));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (['match', 'begin', 'end', 'while'].includes(key) && typeof value === 'string') {
          try {
            new oniguruma.OnigScanner([value]).dispose();
            pass();
          } catch (error) {
            fail(`${path}.${key}: ${value}: ${error.message}`);
          }
        } else {
          walk(value, `${path}.${key}`);
        }
      }
    }
  };
  walk(raw, 'grammar');
}

/**
 * @typedef {{ line: number, first: number, last: number, text: string, scopes: string[] }} Token
 * @param {string} source
 * @returns {Token[]}
 */
function tokenize(source) {
  const tokens = [];
  let stack = vsctm.INITIAL;
  const lines = source.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((text, index) => {
    const result = grammar.tokenizeLine(text, stack);
    for (const token of result.tokens) {
      const value = text.slice(token.startIndex, token.endIndex);
      if (value.trim() === '') continue;
      tokens.push({
        line: index + 1,
        first: token.startIndex + 1,
        last: token.endIndex,
        text: value,
        scopes: token.scopes.filter(scope => scope !== 'source.mesh'),
      });
    }
    stack = result.ruleStack;
  });
  return tokens;
}

/** @param {Token[]} tokens */
function dump(tokens) {
  return tokens.map(t => `${t.line}:${t.first}-${t.last} ${t.text}  ${t.scopes.join(' ')}`).join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Expectations.

/**
 * Whether `scopes` holds `selector` or a scope under it, the way a theme's
 * selector matches (`constant.numeric` matches `constant.numeric.cidr.mesh`).
 * @param {string[]} scopes
 * @param {string} selector
 */
function has(scopes, selector) {
  return scopes.some(scope => scope === selector || scope.startsWith(`${selector}.`));
}

/**
 * Checks the scopes of the token `text` on line `line` (the `nth` such token
 * of that line). `want` lists selectors it must match, `not` ones it must not.
 * @param {string} name
 * @param {Token[]} tokens
 * @param {number} line
 * @param {string} text
 * @param {{ want?: string[], oneOf?: string[], not?: string[], nth?: number }} expected
 */
function expectToken(name, tokens, line, text, { want = [], oneOf = [], not = [], nth = 1 }) {
  const matches = tokens.filter(t => t.line === line && t.text === text);
  const token = matches[nth - 1];
  const where = `${name}:${line}: ${JSON.stringify(text)}${nth > 1 ? ` #${nth}` : ''}`;
  if (!token) {
    const onLine = tokens.filter(t => t.line === line).map(t => JSON.stringify(t.text)).join(' ');
    fail(`${where}: no such token; line ${line} has ${onLine || 'no tokens'}`);
    return;
  }
  const problems = [];
  for (const selector of want) if (!has(token.scopes, selector)) problems.push(`lacks ${selector}`);
  if (oneOf.length && !oneOf.some(selector => has(token.scopes, selector))) problems.push(`has none of ${oneOf.join(', ')}`);
  for (const selector of not) if (has(token.scopes, selector)) problems.push(`has ${selector}`);
  if (problems.length) fail(`${where}: ${problems.join('; ')} (scopes: ${token.scopes.join(' ')})`);
  else pass();
}

/**
 * Every token of every line from `from` to `to` has `selector`.
 * @param {string} name
 * @param {Token[]} tokens
 * @param {number} from
 * @param {number} to
 * @param {string} selector
 */
function expectLines(name, tokens, from, to, selector) {
  const lines = tokens.filter(t => t.line >= from && t.line <= to);
  const wrong = lines.filter(t => !has(t.scopes, selector));
  if (lines.length === 0) fail(`${name}:${from}-${to}: no tokens`);
  else if (wrong.length) fail(`${name}:${from}-${to}: ${JSON.stringify(wrong[0].text)} lacks ${selector} (scopes: ${wrong[0].scopes.join(' ')})`);
  else pass();
}

/**
 * The number of the first line of `source` that `pattern` matches (a string
 * is looked for as it is), or 0 when none does.
 * @param {string} source
 * @param {string | RegExp} pattern
 */
function lineOf(source, pattern) {
  const index = source.split('\n').findIndex(line =>
    typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
  return index + 1;
}

const KEYWORD = ['storage.type', 'keyword'];
const UNIT = 'keyword.other.unit.mesh';

// examples/shop.mesh. Lines are found by pattern, so that the expectations
// follow edits of the example; they hold for any example that declares its
// system, network, services and network rules the way docs/language.md does.
{
  const name = 'examples/shop.mesh';
  const source = readFileSync(join(root, name), 'utf8');
  const tokens = tokenize(source);
  const lines = source.split('\n');
  /**
   * Checks the token `text` on the first line that `pattern` matches.
   * @param {string | RegExp} pattern
   * @param {string} text
   * @param {Parameters<typeof expectToken>[4]} expected
   */
  const expect = (pattern, text, expected) => {
    const line = lineOf(source, pattern);
    if (line === 0) fail(`${name}: no line matches ${pattern}`);
    else expectToken(name, tokens, line, text, expected);
  };

  // `///` lines are doc comments, whole; `//` and `////` lines are not.
  const docLines = lines.flatMap((line, i) => (/^\s*\/\/\/(?!\/)/.test(line) ? [i + 1] : []));
  const commentLines = lines.flatMap((line, i) => (/^\s*\/\/(?!\/(?!\/))/.test(line) ? [i + 1] : []));
  if (docLines.length === 0) fail(`${name}: no /// doc comment`);
  for (const line of docLines) expectLines(name, tokens, line, line, 'comment.block.documentation.mesh');
  const trailing = lines.flatMap((line, i) => (/\S.*\s\/\/(?!\/)/.test(line) && !/"/.test(line) ? [i + 1] : []));
  if (commentLines.length + trailing.length === 0) fail(`${name}: no // line comment`);
  for (const line of [...commentLines, ...trailing]) {
    expectToken(name, tokens, line, '//', { want: ['comment.line.double-slash.mesh', 'punctuation.definition.comment'], not: ['comment.block.documentation'] });
  }

  expect(/^system shop\b/, 'system', { oneOf: KEYWORD, want: ['storage.type.system.mesh'] });
  expect(/^system shop\b/, 'shop', { want: ['entity.name.type.mesh'] });
  expect(/^\s*region\s*=\s*"us-east-1"/, 'region', { want: ['variable.other.property.mesh'] });
  expect(/^\s*region\s*=\s*"us-east-1"/, '=', { want: ['keyword.operator.assignment.mesh'] });
  expect(/^\s*region\s*=\s*"us-east-1"/, 'us-east-1', { want: ['string.quoted.double.mesh'] });
  expect(/^\s*region\s*=\s*"us-east-1"/, '"', { want: ['string.quoted.double.mesh', 'punctuation.definition.string.begin'] });
  expect(/^\s*budget\s*=\s*\$\d/, '$', { want: ['constant.numeric.money.mesh', UNIT] });
  expect(/^network main\b/, 'network', { want: ['storage.type.network.mesh'] });
  expect(/^\s*cidr\s*=\s*10\.20\.0\.0\/16/, 'cidr', { want: ['variable.other.property.mesh'] });
  expect(/^\s*cidr\s*=\s*10\.20\.0\.0\/16/, '10.20.0.0/16', { want: ['constant.numeric.cidr.mesh'], not: [UNIT] });
  expect(/^\s*subnet \w+ \{/, 'subnet', { oneOf: KEYWORD, not: ['variable.other.property'] });
  expect(/^\s*flow_logs\s*=\s*true/, 'true', { want: ['constant.language.boolean.mesh'] });
  expect(/^bus commerce\b/, 'bus', { want: ['storage.type.bus.mesh'] });
  expect(/^event OrderCreated\b/, 'OrderCreated', { want: ['entity.name.type.mesh'] });
  // Inside an event, `bus = commerce` is an attribute, not a declaration.
  expect(/^\s+bus\s*=\s*commerce/, 'bus', { want: ['variable.other.property.mesh'], not: ['storage.type'] });
  expect(/^\s*schema \{/, 'schema', { oneOf: KEYWORD });
  expect(/^\s*orderId: string/, 'orderId', { want: ['variable.other.field.mesh'] });
  expect(/^\s*orderId: string/, 'string', { want: ['support.type.primitive.mesh'] });
  expect(/^\s*status: "pending" \| "confirmed"/, '|', { want: ['keyword.operator'] });
  expect(/^\s*dlq \{/, 'dlq', { oneOf: KEYWORD });
  expect(/^\s*index [\w-]+ \{/, 'index', { oneOf: KEYWORD });
  expect(/^service order \{/, 'service', { oneOf: KEYWORD, want: ['storage.type.service.mesh'] });
  expect(/^service order \{/, 'order', { want: ['entity.name.type.mesh'] });
  expect(/^\s*compute\s*=\s*fargate \{/, 'fargate', { want: ['entity.name.function'] });
  expect(/^\s*uses orders \(read_write\)/, 'uses', { want: ['keyword.other.relation.mesh'] });
  expect(/^\s*uses orders \(read_write\)/, 'read_write', { want: ['storage.modifier'] });
  expect(/^\s*calls payment\b/, 'calls', { want: ['keyword.other.relation.mesh'] });
  expect(/^\s*calls payment\b/, 'payment', { want: ['variable.other.mesh'] });
  expect(/^\s*publishes OrderCreated/, 'publishes', { want: ['keyword.other.relation.mesh'] });
  expect(/^\s*consumes \w+ where/, 'consumes', { want: ['keyword.other.relation.mesh'] });
  expect(/^\s*consumes \w+ where/, 'where', { want: ['keyword.operator.word.mesh'] });
  expect(/^\s*consumes .* via /, 'via', { want: ['keyword.operator.word.mesh'] });
  // `30s`: a duration, its unit scoped on its own.
  const thirty = lineOf(source, /\b30s\b/);
  if (thirty === 0) fail(`${name}: no 30s`);
  else {
    expectToken(name, tokens, thirty, '30', { want: ['constant.numeric.duration.mesh'], not: [UNIT] });
    const unit = tokens.find(t => t.line === thirty && t.text === 's' && has(t.scopes, 'constant.numeric.duration.mesh'));
    if (!unit || !has(unit.scopes, UNIT)) fail(`${name}:${thirty}: the s of 30s is not a unit (${unit ? unit.scopes.join(' ') : 'no such token'})`);
    else pass();
  }
  expect(/^\s*step \w+ \{/, 'step', { oneOf: KEYWORD });
  expect(/^firewall payment\b/, 'firewall', { want: ['storage.type.firewall.mesh'] });
  expect(/^nacl [\w-]+ \{/, 'nacl', { want: ['storage.type.nacl.mesh'] });
  expect(/^\s*subnet\s*=\s*app/, 'subnet', { want: ['variable.other.property.mesh'] });
  expect(/^\s*allow\s+in\s+tcp\s+\d+\s+from/, 'allow', { want: ['keyword'] });
  expect(/^\s*allow\s+in\s+tcp\s+\d+\s+from/, 'tcp', { want: ['support.constant.protocol.mesh'] });
  expect(/^\s*allow\s+in\s+tcp\s+\d+\s+from/, 'from', { want: ['keyword'] });
  const ephemeral = lineOf(source, /^\s*allow\s+\w+\s+tcp\s+1024-65535\b/);
  if (ephemeral === 0) fail(`${name}: no rule on the ephemeral ports`);
  else {
    expectToken(name, tokens, ephemeral, '1024', { want: ['constant.numeric.port-range.mesh'] });
    expectToken(name, tokens, ephemeral, '-', { want: ['constant.numeric.port-range.mesh'] });
    expectToken(name, tokens, ephemeral, '65535', { want: ['constant.numeric.port-range.mesh'] });
  }
}

// Inline sources for the cases the examples do not show.
{
  const name = 'inline';
  const source = [
    /* 1 */ '/* a /* nested */ still the outer comment */ queue queue { queue = queue }',
    /* 2 */ '//// four slashes: a line comment',
    /* 3 */ '/// three: a doc comment',
    /* 4 */ 'system s {',
    /* 5 */ '  a = 250ms  b = 64KiB  c = 500k  d = 2M  e = 3parsecs  f = 10.0.0/16  g = 10.0.0.5  h = 1_500.5',
    /* 6 */ '  j = "tab\\t \\u{e9} bad \\q"  k = 1024-65535  l = id: string  m = [1, 2]',
    /* 7 */ '  n = -3  o = 1B  p = true-ish  q = 14d',
    /* 8 */ '}',
    /* 9 */ 'service v { calls = 3  calls x { timeout = 3s }  consumes E where n not in [1] and m exists { usage { messages = 1M } } }',
    /* 10 */ 'services x { }',
    /* 11 */ 'rule r { matches E  targets = [q]  dlq = failures }',
    /* 12 */ 'event E { schema { note?: string  meta: { hops: int }  kind: Custom } }',
    /* 13 */ 'service o { calls p { via = privatelink  breaker = { errors = 50%  reset = 30s } } }',
    /* 14 */ 'nacl n { deny in tcp 22 from 0.0.0.0/0  allow out udp 53 to 10.0.0.2  allow in icmp from anywhere }',
    /* 15 */ 'firewall f { allow in tcp 8443 from order }',
  ].join('\n');
  const tokens = tokenize(source);
  expectToken(name, tokens, 1, '/*', { want: ['comment.block.mesh'] });
  expectToken(name, tokens, 1, ' still the outer comment ', { want: ['comment.block.mesh'] });
  expectToken(name, tokens, 1, 'queue', { want: ['storage.type.queue.mesh'], nth: 1 });
  expectToken(name, tokens, 1, 'queue', { want: ['entity.name.type.mesh'], nth: 2 });
  expectToken(name, tokens, 1, 'queue', { want: ['variable.other.property.mesh'], not: ['storage.type'], nth: 3 });
  expectToken(name, tokens, 1, 'queue', { want: ['variable.other.mesh'], not: ['storage.type'], nth: 4 });
  expectToken(name, tokens, 2, '//', { want: ['comment.line.double-slash.mesh'], not: ['comment.block.documentation'] });
  expectToken(name, tokens, 3, '///', { want: ['comment.block.documentation.mesh'] });
  expectToken(name, tokens, 5, 'ms', { want: ['constant.numeric.duration.mesh', UNIT] });
  expectToken(name, tokens, 5, 'KiB', { want: ['constant.numeric.size.mesh', UNIT] });
  expectToken(name, tokens, 5, 'k', { want: ['constant.numeric.count.mesh', UNIT] });
  expectToken(name, tokens, 5, 'M', { want: ['constant.numeric.count.mesh', UNIT] });
  expectToken(name, tokens, 5, 'parsecs', { want: ['invalid.illegal.unit.mesh'] });
  expectToken(name, tokens, 5, '10.0.0/16', { want: ['invalid.illegal.numeric.mesh'] });
  expectToken(name, tokens, 5, '10.0.0.5', { want: ['constant.numeric.address.mesh'] });
  expectToken(name, tokens, 5, '1_500.5', { want: ['constant.numeric.decimal.mesh'] });
  expectToken(name, tokens, 6, '\\t', { want: ['constant.character.escape.mesh'] });
  expectToken(name, tokens, 6, '\\u{e9}', { want: ['constant.character.escape.mesh'] });
  expectToken(name, tokens, 6, '\\q', { want: ['invalid.illegal.escape.mesh'] });
  expectToken(name, tokens, 6, '1024', { want: ['constant.numeric.port-range.mesh'] });
  expectToken(name, tokens, 6, 'id', { want: ['variable.other.field.mesh'] });
  expectToken(name, tokens, 6, 'string', { want: ['support.type.primitive.mesh'] });
  expectToken(name, tokens, 6, 'm', { want: ['variable.other.property.mesh'] });
  expectToken(name, tokens, 6, ',', { want: ['punctuation.separator'] });
  expectToken(name, tokens, 7, '-3', { want: ['constant.numeric.decimal.mesh'] });
  expectToken(name, tokens, 7, 'B', { want: ['constant.numeric', UNIT] });
  expectToken(name, tokens, 7, 'true-ish', { want: ['variable.other.mesh'], not: ['constant.language'] });
  expectToken(name, tokens, 7, 'q', { want: ['variable.other.property.mesh'] });
  expectToken(name, tokens, 9, 'calls', { want: ['variable.other.property.mesh'], not: ['keyword.other.relation'], nth: 1 });
  expectToken(name, tokens, 9, 'calls', { want: ['keyword.other.relation.mesh'], nth: 2 });
  expectToken(name, tokens, 9, 'not', { want: ['keyword.operator.word.mesh'] });
  expectToken(name, tokens, 9, 'in', { want: ['keyword.operator.word.mesh'] });
  expectToken(name, tokens, 9, 'and', { want: ['keyword.operator.word.mesh'] });
  expectToken(name, tokens, 9, 'exists', { want: ['keyword.operator.word.mesh'] });
  expectToken(name, tokens, 9, 'm', { want: ['variable.other.field.mesh'] });
  expectToken(name, tokens, 9, 'usage', { oneOf: KEYWORD });
  expectToken(name, tokens, 10, 'services', { want: ['invalid.illegal'], not: ['storage.type'] });
  expectToken(name, tokens, 11, 'matches', { want: ['keyword.other.relation.mesh'] });
  expectToken(name, tokens, 11, 'targets', { want: ['variable.other.property.mesh'] });
  expectToken(name, tokens, 11, 'dlq', { want: ['variable.other.property.mesh'], not: ['keyword'] });
  expectToken(name, tokens, 12, 'note', { want: ['variable.other.field.mesh'] });
  expectToken(name, tokens, 12, '?', { want: ['keyword.operator'] });
  expectToken(name, tokens, 12, 'hops', { want: ['variable.other.field.mesh'] });
  expectToken(name, tokens, 12, 'int', { want: ['support.type.primitive.mesh'] });
  expectToken(name, tokens, 12, 'Custom', { want: ['support.type'], not: ['support.type.primitive'] });
  expectToken(name, tokens, 13, 'via', { want: ['variable.other.property.mesh'], not: ['keyword'] });
  expectToken(name, tokens, 13, 'privatelink', { want: ['variable.other.mesh'] });
  expectToken(name, tokens, 13, 'breaker', { want: ['variable.other.property.mesh'] });
  expectToken(name, tokens, 13, '50', { want: ['constant.numeric.percentage.mesh'], not: [UNIT] });
  expectToken(name, tokens, 13, '%', { want: ['constant.numeric.percentage.mesh', UNIT] });
  expectToken(name, tokens, 13, '30', { want: ['constant.numeric.duration.mesh'], not: [UNIT] });
  expectToken(name, tokens, 13, 's', { want: ['constant.numeric.duration.mesh', UNIT] });
  expectToken(name, tokens, 14, 'nacl', { want: ['storage.type.nacl.mesh'] });
  expectToken(name, tokens, 14, 'deny', { want: ['keyword.other.action.mesh'] });
  expectToken(name, tokens, 14, 'in', { want: ['keyword.other.direction.mesh'] });
  expectToken(name, tokens, 14, '22', { want: ['constant.numeric.port.mesh'] });
  expectToken(name, tokens, 14, 'from', { want: ['keyword.other.peer.mesh'] });
  expectToken(name, tokens, 14, '0.0.0.0/0', { want: ['constant.numeric.cidr.mesh'] });
  expectToken(name, tokens, 14, 'out', { want: ['keyword.other.direction.mesh'] });
  expectToken(name, tokens, 14, 'udp', { want: ['support.constant.protocol.mesh'] });
  expectToken(name, tokens, 14, 'to', { want: ['keyword.other.peer.mesh'] });
  expectToken(name, tokens, 14, '10.0.0.2', { want: ['constant.numeric.address.mesh'] });
  expectToken(name, tokens, 14, 'icmp', { want: ['support.constant.protocol.mesh'] });
  expectToken(name, tokens, 14, 'anywhere', { want: ['constant.language.anywhere.mesh'] });
  expectToken(name, tokens, 15, 'firewall', { want: ['storage.type.firewall.mesh'] });
  expectToken(name, tokens, 15, 'f', { want: ['entity.name.type.mesh'] });
  expectToken(name, tokens, 15, '8443', { want: ['constant.numeric.port.mesh'] });
  expectToken(name, tokens, 15, 'order', { want: ['variable.other.mesh'] });
}

// ---------------------------------------------------------------------------
// Snapshots.

const sources = SOURCE_DIRS.flatMap(dir =>
  readdirSync(join(root, dir))
    .filter(file => file.endsWith('.mesh'))
    .sort()
    .map(file => join(root, dir, file)));
const seen = new Map();
for (const path of sources) {
  const file = basename(path);
  if (seen.has(file)) fail(`two sources share the snapshot name ${file}: ${seen.get(file)} and ${relative(root, path)}`);
  seen.set(file, relative(root, path));
}

if (update) mkdirSync(snapshots, { recursive: true });
for (const path of sources) {
  const actual = dump(tokenize(readFileSync(path, 'utf8')));
  const snapshot = join(snapshots, `${basename(path)}.scopes`);
  const name = relative(root, path);
  if (update) {
    writeFileSync(snapshot, actual);
    console.log(`updated ${relative(root, snapshot)}`);
    continue;
  }
  if (!existsSync(snapshot)) {
    fail(`${name}: no snapshot ${relative(root, snapshot)} (run with --update)`);
    continue;
  }
  const expected = readFileSync(snapshot, 'utf8');
  if (expected === actual) {
    pass();
    continue;
  }
  const want = expected.split('\n');
  const got = actual.split('\n');
  const index = want.findIndex((line, i) => line !== got[i]);
  const at = index < 0 ? Math.min(want.length, got.length) : index;
  fail(`${name}: tokens differ from ${relative(root, snapshot)} at dump line ${at + 1}:\n` +
    `  snapshot: ${want[at] ?? '(end)'}\n  now:      ${got[at] ?? '(end)'}\n  (run with --update if the change is intended)`);
}
// A snapshot whose source is gone.
if (existsSync(snapshots)) {
  for (const file of readdirSync(snapshots)) {
    if (!seen.has(file.replace(/\.scopes$/, ''))) {
      if (update) {
        rmSync(join(snapshots, file));
        console.log(`removed ${file}`);
      } else {
        fail(`test/snapshots/${file} belongs to no source`);
      }
    }
  }
}

console.log(`tokenize: ${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
