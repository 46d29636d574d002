/**
 * @file Tree-sitter grammar for the .mesh language of meshc.
 * @license Apache-2.0
 *
 * It follows grammar/mesh.pest, the grammar of the compiler, rule for rule:
 * every declaration kind with the members it accepts, relations with their
 * `where` and `via` clauses, access modes, event schemas, network rules and
 * every literal form. It accepts what meshc accepts (test/agree-with-meshc.py
 * checks this on every test input of meshc), with three differences of
 * detail: whitespace and comments may stand inside a dotted path and between
 * `not` and `in`; a literal meshc reports as malformed (`10.0.0/16`) is an
 * ERROR node; and a network rule pairs `in` with `from` and `out` with `to`,
 * which mesh.pest leaves to meshc's lowering (M101).
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// A name: a letter or `_`, then letters, digits, `_`, and `-` between them.
const IDENT = /[A-Za-z_](?:[A-Za-z0-9_]|-[A-Za-z0-9_])*/;

// The digits of a number: `3`, `0.5`, `2_000_000`.
const DIGITS = /[0-9][0-9_]*(?:\.[0-9]+)?/;

// Keywords that open a member of some block. A member may still use one of
// them as an attribute key (`dlq = failures` in a rule, `subnet = app` in a
// nacl), or as the key of a block meshc does not know (`calls { }`), exactly
// as mesh.pest accepts after backtracking.
const MEMBER_KEYWORDS = [
  'subnet', 'index', 'step', 'dlq', 'usage', 'trigger',
  'calls', 'publishes', 'consumes', 'uses', 'subscribe', 'matches',
  'allow', 'deny',
];

const PREC = {
  // A keyword read as a key loses against the block or relation it opens.
  keyword_as_key: -1,
};

/**
 * A block `{ member* }` whose members are the given rules, each followed
 * by an optional comma (as in mesh.pest).
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral[]} members
 */
function body($, members) {
  return seq('{', repeat(seq(choice(...members), optional(','))), '}');
}

/**
 * A declaration `kind name { members }`.
 * @param {GrammarSymbols<string>} $
 * @param {string} keyword
 * @param {RuleOrLiteral} block
 */
function declaration($, keyword, block) {
  return seq(
    optional($._docs),
    field('kind', keyword),
    field('name', $.identifier),
    field('body', block),
  );
}

/**
 * One or more rules separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)), optional(','));
}

module.exports = grammar({
  name: 'mesh',

  word: $ => $.identifier,

  externals: $ => [
    $.block_comment,
    $.string_content,
    $._error_sentinel,
  ],

  extras: $ => [
    /\s/,
    $.line_comment,
    $.block_comment,
  ],

  supertypes: $ => [
    $._declaration,
    $._value,
    $._type,
  ],

  conflicts: $ => [
    // `consumes E where source = b { ... }`: mesh.pest reads `b { ... }` as
    // a choice with settings when the braces hold only `key = value`
    // entries, and as the relation's block otherwise. Both are explored;
    // the dynamic precedence of `constructor` picks the first when both
    // parse.
    [$.constructor, $.path],
    // `schema { ... }` in a block: mesh.pest reads it as an event schema when
    // the braces hold fields, and as a block meshc does not know (reported
    // later) when they hold members. Both are explored; the dynamic
    // precedence of `schema_block` picks it when both parse (`schema { }`).
    [$._key, $.schema_block],
  ],

  rules: {
    source_file: $ => repeat($._declaration),

    // -----------------------------------------------------------------------
    // Comments. `///` documents what follows it and is part of the syntax;
    // `//` and `////` are line comments; `/* */` nests (see src/scanner.c).

    line_comment: _ => token(seq('//', optional(choice(/\/\/[^\n]*/, /[^/\n][^\n]*/)))),

    doc_comment: _ => token(seq('///', optional(/[^/\n][^\n]*/))),

    _docs: $ => repeat1($.doc_comment),

    // -----------------------------------------------------------------------
    // Declarations.

    _declaration: $ => choice(
      $.system_declaration,
      $.network_declaration,
      $.service_declaration,
      $.event_declaration,
      $.bus_declaration,
      $.rule_declaration,
      $.queue_declaration,
      $.topic_declaration,
      $.stream_declaration,
      $.table_declaration,
      $.database_declaration,
      $.bucket_declaration,
      $.secret_declaration,
      $.parameter_declaration,
      $.saga_declaration,
      $.firewall_declaration,
      $.nacl_declaration,
    ),

    system_declaration: $ => declaration($, 'system', $.block),
    network_declaration: $ => declaration($, 'network', alias($._network_block, $.block)),
    service_declaration: $ => declaration($, 'service', alias($._service_block, $.block)),
    event_declaration: $ => declaration($, 'event', alias($._event_block, $.block)),
    bus_declaration: $ => declaration($, 'bus', $.block),
    rule_declaration: $ => declaration($, 'rule', alias($._rule_block, $.block)),
    queue_declaration: $ => declaration($, 'queue', alias($._queue_block, $.block)),
    topic_declaration: $ => declaration($, 'topic', alias($._topic_block, $.block)),
    stream_declaration: $ => declaration($, 'stream', $.block),
    table_declaration: $ => declaration($, 'table', alias($._table_block, $.block)),
    database_declaration: $ => declaration($, 'database', $.block),
    bucket_declaration: $ => declaration($, 'bucket', $.block),
    secret_declaration: $ => declaration($, 'secret', $.block),
    parameter_declaration: $ => declaration($, 'parameter', $.block),
    saga_declaration: $ => declaration($, 'saga', alias($._saga_block, $.block)),
    firewall_declaration: $ => declaration($, 'firewall', alias($._firewall_block, $.block)),
    nacl_declaration: $ => declaration($, 'nacl', alias($._firewall_block, $.block)),

    // What each kind may contain (mesh.pest's `*_member` rules).
    block: $ => body($, [$.usage_block, $.attribute, $.other_block]),
    _network_block: $ => body($, [$.subnet_block, $.usage_block, $.attribute, $.other_block]),
    _service_block: $ => body($, [
      $.calls_relation, $.publishes_relation, $.consumes_relation, $.uses_relation,
      $.usage_block, $.attribute, $.other_block,
    ]),
    _event_block: $ => body($, [$.schema_block, $.usage_block, $.attribute, $.other_block]),
    _rule_block: $ => body($, [$.matches_relation, $.usage_block, $.attribute, $.other_block]),
    _queue_block: $ => body($, [$.dlq_block, $.usage_block, $.attribute, $.other_block]),
    _topic_block: $ => body($, [$.subscribe_relation, $.usage_block, $.attribute, $.other_block]),
    _table_block: $ => body($, [$.index_block, $.usage_block, $.attribute, $.other_block]),
    _saga_block: $ => body($, [
      $.step_block, $.usage_block, alias($.trigger_attribute, $.attribute), $.attribute, $.other_block,
    ]),
    _firewall_block: $ => body($, [$.net_rule, $.attribute, $.other_block]),

    // -----------------------------------------------------------------------
    // Nested blocks.

    subnet_block: $ => seq(optional($._docs), field('kind', 'subnet'), field('name', $.identifier), field('body', $.block)),
    index_block: $ => seq(optional($._docs), field('kind', 'index'), field('name', $.identifier), field('body', $.block)),
    step_block: $ => seq(optional($._docs), field('kind', 'step'), field('name', $.identifier), field('body', $.block)),
    dlq_block: $ => seq(optional($._docs), field('kind', 'dlq'), field('body', $.block)),
    usage_block: $ => seq(optional($._docs), field('kind', 'usage'), field('body', $.block)),
    // A block whose keyword this kind does not take; meshc names the right one.
    other_block: $ => seq(
      optional($._docs),
      field('kind', $._key),
      optional(field('name', $.identifier)),
      field('body', $.block),
    ),

    attribute: $ => seq(
      optional($._docs),
      field('key', $._key),
      '=',
      field('value', $._value),
    ),

    // A saga's `trigger = E where ...` (mesh.pest's `trigger_filter`): the
    // only attribute that takes a filter. Without one it is read the same.
    trigger_attribute: $ => seq(
      optional($._docs),
      field('key', alias('trigger', $.identifier)),
      '=',
      field('value', $._value),
      optional(field('filter', $.where_clause)),
    ),

    _key: $ => choice(
      $.identifier,
      alias(prec(PREC.keyword_as_key, choice(...MEMBER_KEYWORDS)), $.identifier),
      // `schema { ... }` holds fields; braces holding members instead are a
      // block meshc does not know, so both readings are kept until one fails.
      alias('schema', $.identifier),
    ),

    // -----------------------------------------------------------------------
    // Relations.

    calls_relation: $ => seq(
      optional($._docs),
      field('kind', 'calls'),
      field('targets', $._targets),
      optional(field('body', $.block)),
    ),

    publishes_relation: $ => seq(
      optional($._docs),
      field('kind', 'publishes'),
      field('targets', $._targets),
      optional(field('body', $.block)),
    ),

    consumes_relation: $ => seq(
      optional($._docs),
      field('kind', 'consumes'),
      field('targets', $._targets),
      repeat(choice($.where_clause, $.via_clause)),
      optional(field('body', $.block)),
    ),

    uses_relation: $ => seq(
      optional($._docs),
      field('kind', 'uses'),
      field('targets', $._targets),
      optional(field('access', $.access)),
      optional(field('body', $.block)),
    ),

    subscribe_relation: $ => seq(
      optional($._docs),
      field('kind', 'subscribe'),
      field('targets', $._targets),
      optional($.where_clause),
      optional(field('body', $.block)),
    ),

    matches_relation: $ => seq(
      optional($._docs),
      field('kind', 'matches'),
      field('targets', $._targets),
      optional($.where_clause),
    ),

    _targets: $ => choice($.target_list, $.path),

    target_list: $ => seq('[', optional(commaSep1($.path)), ']'),

    // `(read)`, `(write)`, `(read_write)`.
    access: $ => seq('(', field('mode', $.identifier), ')'),

    via_clause: $ => seq('via', field('target', $.path)),

    where_clause: $ => seq('where', $.condition, repeat(seq('and', $.condition))),

    condition: $ => seq(
      field('field', alias($.path, $.field_path)),
      choice(
        seq(optional('not'), 'exists'),
        seq(
          field('operator', choice(
            '!=', '<=', '>=', '=', '<', '>',
            $.not_in,
            'in', 'starts_with', 'ends_with',
          )),
          field('value', $._value),
        ),
      ),
    ),

    not_in: _ => seq('not', 'in'),

    // -----------------------------------------------------------------------
    // Event schemas.

    schema_block: $ => prec.dynamic(1, seq(
      optional($._docs),
      field('kind', 'schema'),
      '{',
      repeat(seq($.field, optional(','))),
      '}',
    )),

    field: $ => seq(
      optional($._docs),
      field('name', $.identifier),
      optional(field('optional', $.optional_mark)),
      ':',
      field('type', $._type_expression),
    ),

    optional_mark: _ => '?',

    _type_expression: $ => choice($._type, $.union_type),

    union_type: $ => seq($._type, repeat1(seq('|', $._type))),

    _type: $ => choice($.list_type, $.object_type, $.string, alias($.identifier, $.type_identifier)),

    list_type: $ => seq('[', $._type_expression, ']'),

    object_type: $ => seq('{', repeat(seq($.field, optional(','))), '}'),

    // -----------------------------------------------------------------------
    // Network rules: `allow in tcp 8443 from order`.

    // mesh.pest accepts either peer word after either direction; meshc then
    // reports `in ... to` and `out ... from` as syntax errors (M101), so this
    // grammar pairs them: `in` takes `from`, `out` takes `to`.
    net_rule: $ => seq(
      optional($._docs),
      field('action', choice('allow', 'deny')),
      choice(
        seq(field('direction', 'in'), $._net_traffic, field('peer_direction', 'from')),
        seq(field('direction', 'out'), $._net_traffic, field('peer_direction', 'to')),
      ),
      field('peer', choice($.cidr, $.address, $.anywhere, $.path)),
    ),

    _net_traffic: $ => seq(
      field('protocol', choice('tcp', 'udp', 'icmp', 'all')),
      optional(field('ports', choice($.port_range, alias($.number, $.port)))),
    ),

    anywhere: _ => 'anywhere',

    // -----------------------------------------------------------------------
    // Values.

    _value: $ => choice(
      $.list,
      $.object,
      $.constructor,
      $.typed_name,
      $.string,
      $.boolean,
      $.cidr,
      $.address,
      $.port_range,
      $.money,
      $.number,
      $.quantity,
      $.path,
    ),

    list: $ => seq('[', optional(commaSep1($._value)), ']'),

    object: $ => seq('{', repeat(seq($.entry, optional(','))), '}'),

    entry: $ => seq(field('key', choice($.string, $.identifier)), '=', field('value', $._value)),

    // `fargate { cpu = 1  memory = 2GB }`: a choice with its settings.
    constructor: $ => prec.dynamic(1, seq(field('name', $.identifier), field('settings', $.object))),

    // `orderId: string`: a key attribute with its type.
    typed_name: $ => seq(field('name', $.identifier), ':', field('type', $._type_expression)),

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),

    escape_sequence: _ => token.immediate(/\\(?:["\\ntr]|u\{[0-9A-Fa-f]{1,6}\})/),

    boolean: _ => choice('true', 'false'),

    // `10.20.0.0/16`, `10.0.0.5`, `1024-65535`.
    cidr: _ => /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\/[0-9]{1,3}/,
    address: _ => /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/,
    port_range: _ => /[0-9]+-[0-9]+/,

    // `$1500`, `$0.25`.
    money: _ => token(seq('$', DIGITS)),

    number: _ => token(seq(optional('-'), DIGITS)),

    // `30s`, `256MB`, `50%`, `2M`: any letters are a unit here; meshc says
    // which are valid for the attribute.
    quantity: $ => seq(field('value', $.number), field('unit', $.unit)),

    unit: _ => token.immediate(prec(1, /[A-Za-z]+|%/)),

    // `payment`, `inventory.reserve`, `OrderCreated`.
    path: $ => seq($.identifier, repeat(seq('.', $.identifier))),

    identifier: _ => IDENT,
  },
});
