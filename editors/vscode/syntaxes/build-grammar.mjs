#!/usr/bin/env node
// Builds syntaxes/mesh.tmLanguage.json, the TextMate grammar of the .mesh
// language, from the regular expressions below, so that the pieces every
// rule shares (names, numbers, keyword boundaries) are written once.
//
//   node syntaxes/build-grammar.mjs           write the JSON
//   node syntaxes/build-grammar.mjs --check   fail if the JSON is stale
//
// The structure follows grammar/mesh.pest: top-level declarations, one body
// context per declaration kind (so that `calls` is a relation only in a
// service and `subnet` a block only in a network), attributes whose value
// ends where mesh.pest's value ends, relations with their `where` and `via`
// clauses, event schemas, network rules and every literal form.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, 'mesh.tmLanguage.json');

// ---------------------------------------------------------------------------
// Shared pieces.

// A name: a letter or `_`, then letters, digits, `_`, and `-` between them.
const IDENT = '[A-Za-z_](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_]))*';
// A dotted path: `inventory.reserve`.
const PATH = `${IDENT}(?:\\.${IDENT})*`;
// Keyword boundaries: `services` and `service-x` are names, not `service`.
const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
/** @param {string[]} words */
const kw = words => `${B}(?:${words.join('|')})${E}`;
// What may not follow a literal (mesh.pest: `!(ident_char | "." | "/")`).
const END_LIT = '(?![A-Za-z0-9_\\-./])';
// The digits of a number: `3`, `0.5`, `2_000_000`.
const NUM = '[0-9][0-9_]*(?:\\.[0-9]+)?';
const NUM_START = '(?<![A-Za-z0-9_.$-])';
const OCTETS = '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}';

const DECLARATIONS = [
  'system', 'network', 'service', 'event', 'bus', 'rule', 'queue', 'topic',
  'stream', 'table', 'database', 'bucket', 'secret', 'parameter', 'saga',
  'firewall', 'nacl',
];

// The body each declaration kind has (mesh.pest's `*_member` rules).
const BODY_OF = {
  system: 'body-plain',
  network: 'body-network',
  service: 'body-service',
  event: 'body-event',
  bus: 'body-plain',
  rule: 'body-rule',
  queue: 'body-queue',
  topic: 'body-topic',
  stream: 'body-plain',
  table: 'body-table',
  database: 'body-plain',
  bucket: 'body-plain',
  secret: 'body-plain',
  parameter: 'body-plain',
  saga: 'body-saga',
  firewall: 'body-firewall',
  nacl: 'body-firewall',
};

// Units meshc knows (src/model/units.rs). `B` is bytes for a size and a
// billion for a count: which one depends on the attribute.
const UNITS = {
  duration: ['ms', 's', 'm', 'h', 'd', 'w'],
  size: ['KiB', 'MiB', 'GiB', 'TiB', 'KB', 'MB', 'GB', 'TB'],
  count: ['k', 'M'],
  quantity: ['B'],
};

const PRIMITIVE_TYPES = ['string', 'number', 'int', 'bool', 'timestamp', 'binary'];

// Comparison operators of a `where` condition, longest first.
const COMPARISON = '!=|<=|>=|=|<|>';
const CONDITION_WORDS = ['and', 'not', 'in', 'exists', 'starts_with', 'ends_with'];
// What may follow the field of a condition.
const AFTER_FIELD = `\\s*(?:${COMPARISON}|(?:not\\s+)?(?:in|exists)${E}|(?:starts_with|ends_with)${E})`;

/** @param {string} name */
const include = name => ({ include: `#${name}` });

/**
 * A `{ ... }` block with the given contents.
 * @param {string} contents
 * @param {string} [meta]
 */
const braces = (contents, meta = 'meta.block.mesh') => ({
  begin: '\\{',
  end: '\\}',
  beginCaptures: { 0: { name: 'punctuation.section.block.begin.mesh' } },
  endCaptures: { 0: { name: 'punctuation.section.block.end.mesh' } },
  name: meta,
  patterns: [include(contents)],
});

// Where a value ends: after its last character, unless what follows
// continues it (`fargate {`, `id: string`, `"a" | "b"`, `a.b`); or before a
// closing bracket or comma.
const VALUE_END = '(?<=[A-Za-z0-9_"\\]}%])(?!\\s*[{:|.])|(?=\\s*[}\\],])';
// Where a type ends: the same, with `|` as the only continuation.
const TYPE_END = '(?<=[A-Za-z0-9_"\\]}])(?!\\s*\\|)|(?=\\s*[}\\],])';
// Where a `where` clause ends: after a complete condition that `and` does
// not continue, before a closing brace, or at the end of the line.
const WHERE_END =
  '(?<=[A-Za-z0-9_"\\]}%])' +
  CONDITION_WORDS.filter(w => w !== 'exists').map(w => `(?<!\\b${w})`).join('') +
  '(?<!\\bwhere)' +
  `(?!\\s*(?:(?:${CONDITION_WORDS.join('|')})${E}|${COMPARISON}|\\.))` +
  '|(?=\\s*(?:\\}|$))';
// Where a relation ends: after its block, before the enclosing block's
// closing brace, at the end of the line, or before the next member on the
// same line (`matches E  targets = [q]`).
const RELATION_END = `(?<=\\})|(?=\\s*\\})|(?=\\s*$)|(?=\\s*(?:///|${IDENT}\\s*=))`;

// ---------------------------------------------------------------------------
// Rules.

const repository = {
  // Comments. `///` (but not `////`) is a doc comment.
  comments: {
    patterns: [include('doc-comment'), include('line-comment'), include('block-comment')],
  },
  'doc-comment': {
    match: '(///)(?!/).*',
    name: 'comment.block.documentation.mesh',
    captures: { 1: { name: 'punctuation.definition.comment.mesh' } },
  },
  'line-comment': {
    match: '(//).*',
    name: 'comment.line.double-slash.mesh',
    captures: { 1: { name: 'punctuation.definition.comment.mesh' } },
  },
  // Block comments nest: `/* a /* b */ still a */`.
  'block-comment': {
    begin: '/\\*',
    end: '\\*/',
    name: 'comment.block.mesh',
    beginCaptures: { 0: { name: 'punctuation.definition.comment.begin.mesh' } },
    endCaptures: { 0: { name: 'punctuation.definition.comment.end.mesh' } },
    patterns: [include('block-comment')],
  },

  // Declarations.
  declaration: {
    patterns: DECLARATIONS.map(kind => ({
      begin: `${B}(${kind})${E}(?:\\s+(${IDENT}))?`,
      beginCaptures: {
        1: { name: `storage.type.${kind}.mesh` },
        2: { name: 'entity.name.type.mesh' },
      },
      end: '(?<=\\})',
      name: `meta.declaration.${kind}.mesh`,
      patterns: [
        include('comments'),
        { match: IDENT, name: 'entity.name.type.mesh' },
        braces(BODY_OF[kind]),
      ],
    })),
  },
  // `services all { }`: not a kind of declaration (meshc: M102).
  'unknown-declaration': {
    begin: `${B}(${IDENT})(?:\\s+(${IDENT}))?\\s*(?=\\{)`,
    beginCaptures: {
      1: { name: 'invalid.illegal.declaration.mesh' },
      2: { name: 'entity.name.type.mesh' },
    },
    end: '(?<=\\})',
    patterns: [braces('body-plain')],
  },

  // The bodies of each kind. `attribute` comes first so that a keyword
  // followed by `=` is a key (`dlq = failures`, `subnet = app`).
  'body-plain': {
    patterns: [include('comments'), include('attribute'), include('usage-block'), include('other-block')],
  },
  'body-network': {
    patterns: [include('comments'), include('attribute'), include('subnet-block'), include('usage-block'), include('other-block')],
  },
  'body-service': {
    patterns: [
      include('comments'), include('attribute'),
      include('relation-calls'), include('relation-publishes'), include('relation-consumes'), include('relation-uses'),
      include('usage-block'), include('other-block'),
    ],
  },
  'body-event': {
    patterns: [include('comments'), include('attribute'), include('schema-block'), include('usage-block'), include('other-block')],
  },
  'body-rule': {
    patterns: [include('comments'), include('attribute'), include('relation-matches'), include('usage-block'), include('other-block')],
  },
  'body-queue': {
    patterns: [include('comments'), include('attribute'), include('dlq-block'), include('usage-block'), include('other-block')],
  },
  'body-topic': {
    patterns: [include('comments'), include('attribute'), include('relation-subscribe'), include('usage-block'), include('other-block')],
  },
  'body-table': {
    patterns: [include('comments'), include('attribute'), include('index-block'), include('usage-block'), include('other-block')],
  },
  'body-saga': {
    patterns: [include('comments'), include('trigger-attribute'), include('attribute'), include('step-block'), include('usage-block'), include('other-block')],
  },
  'body-firewall': {
    patterns: [include('comments'), include('attribute'), include('net-rule'), include('net-rule-words'), include('other-block')],
  },

  // Nested blocks: `subnet app { }`, `index by-customer { }`, `step reserve
  // { }`, `dlq { }`, `usage { }`.
  ...Object.fromEntries(['subnet', 'index', 'step'].map(block => [`${block}-block`, {
    begin: `${B}(${block})${E}\\s*(${IDENT})?\\s*(\\{)`,
    beginCaptures: {
      1: { name: `keyword.other.block.${block}.mesh` },
      2: { name: `entity.name.type.${block}.mesh` },
      3: { name: 'punctuation.section.block.begin.mesh' },
    },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.block.end.mesh' } },
    name: `meta.block.${block}.mesh`,
    patterns: [include('body-plain')],
  }])),
  ...Object.fromEntries(['dlq', 'usage'].map(block => [`${block}-block`, {
    begin: `${B}(${block})${E}\\s*(\\{)`,
    beginCaptures: {
      1: { name: `keyword.other.block.${block}.mesh` },
      2: { name: 'punctuation.section.block.begin.mesh' },
    },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.block.end.mesh' } },
    name: `meta.block.${block}.mesh`,
    patterns: [include('body-plain')],
  }])),
  // A block this kind does not take (meshc names the right one).
  'other-block': {
    begin: `${B}(${IDENT})(?:\\s+(${IDENT}))?\\s*(\\{)`,
    beginCaptures: {
      1: { name: 'keyword.other.block.mesh' },
      2: { name: 'entity.name.type.block.mesh' },
      3: { name: 'punctuation.section.block.begin.mesh' },
    },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.block.end.mesh' } },
    name: 'meta.block.mesh',
    patterns: [include('body-plain')],
  },

  // `key = value`.
  attribute: {
    begin: `${B}(${IDENT})\\s*(=)`,
    beginCaptures: {
      1: { name: 'variable.other.property.mesh' },
      2: { name: 'keyword.operator.assignment.mesh' },
    },
    end: VALUE_END,
    name: 'meta.attribute.mesh',
    patterns: [include('value')],
  },

  // A saga's `trigger = E where ...` (mesh.pest's `trigger_filter`), the
  // only attribute that takes a filter.
  'trigger-attribute': {
    begin: `${B}(trigger)\\s*(=)`,
    beginCaptures: {
      1: { name: 'variable.other.property.mesh' },
      2: { name: 'keyword.operator.assignment.mesh' },
    },
    end: RELATION_END,
    name: 'meta.attribute.mesh',
    patterns: [include('comments'), include('where-clause'), include('path')],
  },

  // Relations.
  ...Object.fromEntries([
    ['calls', ['targets', 'relation-block']],
    ['publishes', ['targets', 'relation-block']],
    ['consumes', ['where-clause', 'via-clause', 'targets', 'relation-block']],
    ['uses', ['access', 'targets', 'relation-block']],
    ['subscribe', ['where-clause', 'targets', 'relation-block']],
    ['matches', ['where-clause', 'targets']],
  ].map(([relation, parts]) => [`relation-${relation}`, {
    begin: `${B}(${relation})${E}`,
    beginCaptures: { 1: { name: 'keyword.other.relation.mesh' } },
    end: RELATION_END,
    name: `meta.relation.${relation}.mesh`,
    patterns: [include('comments'), ...parts.map(include)],
  }])),
  'relation-block': braces('body-plain'),
  targets: {
    patterns: [
      {
        begin: '\\[',
        end: '\\]',
        beginCaptures: { 0: { name: 'punctuation.section.brackets.begin.mesh' } },
        endCaptures: { 0: { name: 'punctuation.section.brackets.end.mesh' } },
        name: 'meta.targets.mesh',
        patterns: [include('comments'), include('path'), include('comma')],
      },
      include('path'),
    ],
  },
  // `(read)`, `(write)`, `(read_write)`.
  access: {
    match: `(\\()\\s*(${IDENT})\\s*(\\))`,
    captures: {
      1: { name: 'punctuation.section.parens.begin.mesh' },
      2: { name: 'storage.modifier.access.mesh' },
      3: { name: 'punctuation.section.parens.end.mesh' },
    },
  },
  'via-clause': {
    match: `${B}(via)${E}(?:\\s+(${PATH}))?`,
    captures: {
      1: { name: 'keyword.operator.word.mesh' },
      2: { patterns: [include('path')] },
    },
  },
  // `where status = "confirmed" and total >= 100`.
  'where-clause': {
    begin: `${B}(where)${E}`,
    beginCaptures: { 1: { name: 'keyword.operator.word.mesh' } },
    end: WHERE_END,
    name: 'meta.where-clause.mesh',
    patterns: [
      include('comments'),
      {
        match: `${B}(?:${CONDITION_WORDS.join('|')})${E}`,
        name: 'keyword.operator.word.mesh',
      },
      {
        match: `${B}(${IDENT})((?:\\.${IDENT})*)(?=${AFTER_FIELD})`,
        captures: {
          1: { name: 'variable.other.field.mesh' },
          2: {
            patterns: [
              { match: '\\.', name: 'punctuation.accessor.mesh' },
              { match: IDENT, name: 'variable.other.field.mesh' },
            ],
          },
        },
      },
      { match: COMPARISON, name: 'keyword.operator.comparison.mesh' },
      include('value'),
    ],
  },

  // Event schemas: `field: type`, `field?: type`.
  'schema-block': {
    begin: `${B}(schema)${E}\\s*(\\{)`,
    beginCaptures: {
      1: { name: 'keyword.other.block.schema.mesh' },
      2: { name: 'punctuation.section.block.begin.mesh' },
    },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.block.end.mesh' } },
    name: 'meta.block.schema.mesh',
    patterns: [include('fields')],
  },
  fields: {
    patterns: [include('comments'), include('field'), include('comma')],
  },
  field: {
    begin: `${B}(${IDENT})\\s*(\\?)?\\s*(:)`,
    beginCaptures: {
      1: { name: 'variable.other.field.mesh' },
      2: { name: 'keyword.operator.optional.mesh' },
      3: { name: 'punctuation.separator.key-value.mesh' },
    },
    end: TYPE_END,
    name: 'meta.field.mesh',
    patterns: [include('type')],
  },
  type: {
    patterns: [
      include('comments'),
      include('string'),
      {
        begin: '\\[',
        end: '\\]',
        beginCaptures: { 0: { name: 'punctuation.section.brackets.begin.mesh' } },
        endCaptures: { 0: { name: 'punctuation.section.brackets.end.mesh' } },
        name: 'meta.type.list.mesh',
        patterns: [include('type')],
      },
      {
        begin: '\\{',
        end: '\\}',
        beginCaptures: { 0: { name: 'punctuation.section.braces.begin.mesh' } },
        endCaptures: { 0: { name: 'punctuation.section.braces.end.mesh' } },
        name: 'meta.type.object.mesh',
        patterns: [include('fields')],
      },
      { match: '\\|', name: 'keyword.operator.union.mesh' },
      { match: kw(PRIMITIVE_TYPES), name: 'support.type.primitive.mesh' },
      { match: `${B}${IDENT}`, name: 'support.type.mesh' },
    ],
  },

  // Network rules: `allow in tcp 8443 from order`.
  'net-rule': {
    match:
      `${B}(allow|deny)${E}\\s+(in|out)${E}\\s+(tcp|udp|icmp|all)${E}` +
      `(?:\\s+([0-9]+-[0-9]+|[0-9]+)${END_LIT})?` +
      `\\s+(from|to)${E}\\s+(${OCTETS}(?:/[0-9]{1,3})?${END_LIT}|anywhere${E}|${PATH})`,
    name: 'meta.net-rule.mesh',
    captures: {
      1: { name: 'keyword.other.action.mesh' },
      2: { name: 'keyword.other.direction.mesh' },
      3: { name: 'support.constant.protocol.mesh' },
      4: { patterns: [include('port-range'), { match: '[0-9]+', name: 'constant.numeric.port.mesh' }] },
      5: { name: 'keyword.other.peer.mesh' },
      6: { patterns: [include('cidr'), include('address'), include('anywhere'), include('path')] },
    },
  },
  // The words of a rule that does not (yet) read as a whole rule.
  'net-rule-words': {
    patterns: [
      { match: kw(['allow', 'deny']), name: 'keyword.other.action.mesh' },
      { match: kw(['in', 'out']), name: 'keyword.other.direction.mesh' },
      { match: kw(['tcp', 'udp', 'icmp', 'all']), name: 'support.constant.protocol.mesh' },
      { match: kw(['from', 'to']), name: 'keyword.other.peer.mesh' },
      include('anywhere'),
      include('cidr'),
      include('address'),
      include('port-range'),
      { match: `${NUM_START}[0-9]+${END_LIT}`, name: 'constant.numeric.port.mesh' },
      include('path'),
    ],
  },
  anywhere: { match: kw(['anywhere']), name: 'constant.language.anywhere.mesh' },

  // Values.
  value: {
    patterns: [
      include('comments'),
      include('string'),
      include('list'),
      include('object'),
      include('typed-name'),
      include('constructor'),
      include('boolean'),
      include('numeric'),
      include('path'),
    ],
  },
  list: {
    begin: '\\[',
    end: '\\]',
    beginCaptures: { 0: { name: 'punctuation.section.brackets.begin.mesh' } },
    endCaptures: { 0: { name: 'punctuation.section.brackets.end.mesh' } },
    name: 'meta.list.mesh',
    patterns: [include('value'), include('comma')],
  },
  object: {
    begin: '\\{',
    end: '\\}',
    beginCaptures: { 0: { name: 'punctuation.section.braces.begin.mesh' } },
    endCaptures: { 0: { name: 'punctuation.section.braces.end.mesh' } },
    name: 'meta.object.mesh',
    patterns: [include('entries')],
  },
  entries: {
    patterns: [include('comments'), include('entry'), include('comma')],
  },
  // `key = value` or `"key" = value` inside an object.
  entry: {
    begin: `(?:${B}(${IDENT})|("(?:[^"\\\\]|\\\\.)*"))\\s*(=)`,
    beginCaptures: {
      1: { name: 'variable.other.property.mesh' },
      2: { name: 'support.type.property-name.mesh', patterns: [include('string')] },
      3: { name: 'keyword.operator.assignment.mesh' },
    },
    end: VALUE_END,
    name: 'meta.entry.mesh',
    patterns: [include('value')],
  },
  // `fargate { cpu = 1  memory = 2GB }`: a choice with its settings.
  constructor: {
    begin: `${B}(${IDENT})\\s*(\\{)`,
    beginCaptures: {
      1: { name: 'entity.name.function.mesh' },
      2: { name: 'punctuation.section.braces.begin.mesh' },
    },
    end: '\\}',
    endCaptures: { 0: { name: 'punctuation.section.braces.end.mesh' } },
    name: 'meta.constructor.mesh',
    patterns: [include('entries')],
  },
  // `orderId: string`: a key attribute with its type.
  'typed-name': {
    begin: `${B}(${IDENT})\\s*(:)`,
    beginCaptures: {
      1: { name: 'variable.other.field.mesh' },
      2: { name: 'punctuation.separator.key-value.mesh' },
    },
    end: TYPE_END,
    name: 'meta.typed-name.mesh',
    patterns: [include('type')],
  },
  string: {
    begin: '"',
    end: '(")|$',
    beginCaptures: { 0: { name: 'punctuation.definition.string.begin.mesh' } },
    endCaptures: { 1: { name: 'punctuation.definition.string.end.mesh' } },
    name: 'string.quoted.double.mesh',
    patterns: [
      { match: '\\\\(?:["\\\\ntr]|u\\{[0-9A-Fa-f]{1,6}\\})', name: 'constant.character.escape.mesh' },
      { match: '\\\\.?', name: 'invalid.illegal.escape.mesh' },
    ],
  },
  boolean: { match: kw(['true', 'false']), name: 'constant.language.boolean.mesh' },
  numeric: {
    patterns: [
      include('cidr'),
      include('address'),
      include('port-range'),
      {
        match: `${NUM_START}(\\$)(${NUM})${END_LIT}`,
        name: 'constant.numeric.money.mesh',
        captures: { 1: { name: 'keyword.other.unit.mesh' } },
      },
      ...Object.entries(UNITS).map(([kind, units]) => ({
        match: `${NUM_START}(-?${NUM})(${units.join('|')})${END_LIT}`,
        name: `constant.numeric.${kind}.mesh`,
        captures: { 2: { name: 'keyword.other.unit.mesh' } },
      })),
      {
        match: `${NUM_START}(-?${NUM})(%)${END_LIT}`,
        name: 'constant.numeric.percentage.mesh',
        captures: { 2: { name: 'keyword.other.unit.mesh' } },
      },
      // Any other letters are a unit meshc does not know (M206).
      {
        match: `${NUM_START}(-?${NUM})([A-Za-z]+)${END_LIT}`,
        name: 'constant.numeric.quantity.mesh',
        captures: { 2: { name: 'invalid.illegal.unit.mesh' } },
      },
      { match: `${NUM_START}-?${NUM}${END_LIT}`, name: 'constant.numeric.decimal.mesh' },
      // Anything else that starts like a number: `10.0.0/16`, `1.2.3`, `5-`
      // (meshc: M106).
      { match: `${NUM_START}[-$]?[0-9][A-Za-z0-9_\\-./%:$]*`, name: 'invalid.illegal.numeric.mesh' },
    ],
  },
  cidr: { match: `${NUM_START}${OCTETS}/[0-9]{1,3}${END_LIT}`, name: 'constant.numeric.cidr.mesh' },
  address: { match: `${NUM_START}${OCTETS}${END_LIT}`, name: 'constant.numeric.address.mesh' },
  'port-range': {
    match: `${NUM_START}[0-9]+(-)[0-9]+${END_LIT}`,
    name: 'constant.numeric.port-range.mesh',
    captures: { 1: { name: 'punctuation.separator.range.mesh' } },
  },
  // `payment`, `inventory.reserve`, `OrderCreated`.
  path: {
    match: `${B}(${IDENT})((?:\\.${IDENT})*)`,
    captures: {
      1: { name: 'variable.other.mesh' },
      2: {
        patterns: [
          { match: '\\.', name: 'punctuation.accessor.mesh' },
          { match: IDENT, name: 'variable.other.mesh' },
        ],
      },
    },
  },
  comma: { match: ',', name: 'punctuation.separator.comma.mesh' },
};

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'Mesh',
  scopeName: 'source.mesh',
  fileTypes: ['mesh'],
  patterns: [include('comments'), include('declaration'), include('unknown-declaration')],
  repository,
};

const json = `${JSON.stringify(grammar, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(output, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== json) {
    console.error(`${output} is stale: run node ${fileURLToPath(import.meta.url)}`);
    process.exit(1);
  }
  console.log('mesh.tmLanguage.json is up to date');
} else {
  writeFileSync(output, json);
  console.log(`wrote ${output}`);
}
