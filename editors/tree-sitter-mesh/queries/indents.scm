; Indentation: the contents of braces and brackets are indented one level.

[
  (block)
  (schema_block)
  (object)
  (object_type)
  (list)
  (target_list)
] @indent.begin

[
  "}"
  "]"
] @indent.branch @indent.end
