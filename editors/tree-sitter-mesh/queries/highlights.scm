; Highlights for .mesh files. Capture names follow the common set of
; Neovim, Helix and Zed (`@keyword`, `@type`, `@property`, `@number`, ...);
; each editor falls back from a dotted name to its first part.

; Comments
; --------

(line_comment) @comment
(block_comment) @comment
(doc_comment) @comment.documentation

; Declarations and nested blocks
; ------------------------------

[
  "system"
  "network"
  "service"
  "event"
  "bus"
  "rule"
  "queue"
  "topic"
  "stream"
  "table"
  "database"
  "bucket"
  "secret"
  "parameter"
  "saga"
  "firewall"
  "nacl"
] @keyword.type

[
  "subnet"
  "index"
  "step"
  "dlq"
  "usage"
  "schema"
] @keyword

(system_declaration name: (identifier) @type.definition)
(network_declaration name: (identifier) @type.definition)
(service_declaration name: (identifier) @type.definition)
(event_declaration name: (identifier) @type.definition)
(bus_declaration name: (identifier) @type.definition)
(rule_declaration name: (identifier) @type.definition)
(queue_declaration name: (identifier) @type.definition)
(topic_declaration name: (identifier) @type.definition)
(stream_declaration name: (identifier) @type.definition)
(table_declaration name: (identifier) @type.definition)
(database_declaration name: (identifier) @type.definition)
(bucket_declaration name: (identifier) @type.definition)
(secret_declaration name: (identifier) @type.definition)
(parameter_declaration name: (identifier) @type.definition)
(saga_declaration name: (identifier) @type.definition)
(firewall_declaration name: (identifier) @type.definition)
(nacl_declaration name: (identifier) @type.definition)

(subnet_block name: (identifier) @label)
(index_block name: (identifier) @label)
(step_block name: (identifier) @label)

; A block meshc does not know for this kind.
(other_block kind: (identifier) @keyword)
(other_block name: (identifier) @label)

; Relations and their clauses
; ---------------------------

[
  "calls"
  "publishes"
  "consumes"
  "uses"
  "subscribe"
  "matches"
] @keyword

[
  "where"
  "via"
  "and"
  "not"
  "exists"
  "starts_with"
  "ends_with"
] @keyword.operator

(condition operator: "in" @keyword.operator)
(not_in "in" @keyword.operator)

(access mode: (identifier) @keyword.modifier)

(field_path (identifier) @variable.member)

; Network rules
; -------------

[
  "allow"
  "deny"
  "out"
  "from"
  "to"
] @keyword

(net_rule direction: "in" @keyword)

[
  "tcp"
  "udp"
  "icmp"
  "all"
] @constant.builtin

(anywhere) @constant.builtin

(port) @number

; Attributes, entries and schema fields
; -------------------------------------

(attribute key: (identifier) @property)
(entry key: (identifier) @property)

(field name: (identifier) @variable.member)
(typed_name name: (identifier) @variable.member)
(optional_mark) @operator

((type_identifier) @type.builtin
  (#any-of? @type.builtin "string" "number" "int" "bool" "timestamp" "binary"))
((type_identifier) @type
  (#not-any-of? @type "string" "number" "int" "bool" "timestamp" "binary"))

(constructor name: (identifier) @function)

; Literals
; --------

(string) @string
(escape_sequence) @string.escape
(boolean) @boolean
(number) @number
(money) @number
(unit) @type.builtin
(cidr) @number
(address) @number
(port_range) @number

; References
; ----------

(path (identifier) @variable)

; Punctuation and operators
; -------------------------

[
  "="
  "!="
  "<="
  ">="
  "<"
  ">"
  "|"
] @operator

[
  ":"
  "."
  ","
] @punctuation.delimiter

[
  "{"
  "}"
  "["
  "]"
  "("
  ")"
] @punctuation.bracket
