/*
 * External scanner for the .mesh tree-sitter grammar.
 *
 * Two tokens cannot be written as regular expressions:
 *
 * - block_comment: `/* ... *\/`, which nests: every `/*` inside a comment
 *   needs its own `*\/` (mesh.pest's `block_comment` rule is recursive).
 * - string_content: the text of a string between escapes. Scanning it here
 *   keeps `/*` and `//` inside a string from being read as comments, which
 *   the grammar's extras would otherwise allow between a string's tokens.
 */

#include "tree_sitter/parser.h"

#include <stdbool.h>

enum TokenType {
  BLOCK_COMMENT,
  STRING_CONTENT,
  ERROR_SENTINEL,
};

void *tree_sitter_mesh_external_scanner_create(void) { return NULL; }

void tree_sitter_mesh_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_mesh_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_mesh_external_scanner_deserialize(void *payload, const char *buffer,
                                                   unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static bool is_space(int32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The text of a string up to its closing quote, an escape or the end of the
 * line (strings hold one line). */
static bool scan_string_content(TSLexer *lexer) {
  bool has_content = false;
  while (!lexer->eof(lexer) && lexer->lookahead != '"' && lexer->lookahead != '\\' &&
         lexer->lookahead != '\n') {
    advance(lexer);
    has_content = true;
  }
  if (!has_content) return false;
  lexer->mark_end(lexer);
  lexer->result_symbol = STRING_CONTENT;
  return true;
}

/* A block comment and every comment nested in it. An unterminated comment is
 * no token: meshc reports it, and so does the parse tree. */
static bool scan_block_comment(TSLexer *lexer) {
  while (is_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (lexer->lookahead != '/') return false;
  advance(lexer);
  if (lexer->lookahead != '*') return false;
  advance(lexer);

  unsigned depth = 1;
  while (depth > 0) {
    if (lexer->eof(lexer)) return false;
    if (lexer->lookahead == '/') {
      advance(lexer);
      if (lexer->lookahead == '*') {
        advance(lexer);
        depth++;
      }
    } else if (lexer->lookahead == '*') {
      advance(lexer);
      if (lexer->lookahead == '/') {
        advance(lexer);
        depth--;
      }
    } else {
      advance(lexer);
    }
  }
  lexer->mark_end(lexer);
  lexer->result_symbol = BLOCK_COMMENT;
  return true;
}

bool tree_sitter_mesh_external_scanner_scan(void *payload, TSLexer *lexer,
                                            const bool *valid_symbols) {
  (void)payload;
  // Error recovery makes every token valid: leave it to the internal lexer.
  if (valid_symbols[ERROR_SENTINEL]) {
    return valid_symbols[BLOCK_COMMENT] && scan_block_comment(lexer);
  }
  if (valid_symbols[STRING_CONTENT]) return scan_string_content(lexer);
  if (valid_symbols[BLOCK_COMMENT]) return scan_block_comment(lexer);
  return false;
}
