; Every block, object and multi-line list folds.

[
  (block)
  (schema_block)
  (object)
  (object_type)
  (list)
  (target_list)
  (block_comment)
] @fold
