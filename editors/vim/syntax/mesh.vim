" Vim syntax file
" Language:    Mesh (.mesh files of meshc: event-driven microservice systems on AWS)
" Grammar:     grammar/mesh.pest; reference: docs/language.md
"
" Declaration keywords are recognised at the top level only, and network-rule
" words only inside `firewall` and `nacl` blocks, so that names and keys that
" happen to be keywords (`queue queue { queue = queue }`, `bus = commerce`,
" `projection = all`) are not highlighted as keywords.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Names hold letters, digits, `_` and `-`: `services` and `service-x` are
" names, not the keyword `service`.
syn iskeyword @,48-57,_,-

" Comments --------------------------------------------------------------------

syn keyword meshTodo contained TODO FIXME XXX NOTE
syn match   meshLineComment "//.*$" contains=meshTodo,@Spell
" `///` is a doc comment; `////` is an ordinary comment again.
syn match   meshDocComment "///\%(/\)\@!.*$" contains=meshTodo,@Spell
" Block comments nest.
syn region  meshBlockComment start="/\*" end="\*/" contains=meshBlockComment,meshTodo,@Spell fold

syn cluster meshComments contains=meshLineComment,meshDocComment,meshBlockComment

" Literals --------------------------------------------------------------------

syn match   meshEscapeError contained +\\.\=+
syn match   meshEscape      contained +\\\%(["\\ntr]\|u{\x\{1,6}}\)+
syn region  meshString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=meshEscape,meshEscapeError

syn match   meshBoolean "\<\%(true\|false\)\>"

" Numeric literals, from the weakest to the strongest: a later item wins when
" two start at the same place. Each one must end where a literal ends (not
" before a letter, digit, `_`, `-`, `.` or `/`), so that `10.0.0/16` falls
" through to meshMalformed, which meshc rejects.
syn match   meshMalformed   "\%([[:alnum:]_.$-]\)\@<![-$]\=\d[[:alnum:]_./%:$-]*"
syn match   meshNumber      "\%([[:alnum:]_.$-]\)\@<!-\=\d[0-9_]*\%(\.\d\+\)\=\%([[:alnum:]_./%-]\)\@!"
" A number with a unit: `30s`, `256MB`, `2M`, `50%`. The unit is its own
" item; letters meshc does not know are an error.
syn match   meshQuantity    "\%([[:alnum:]_.$-]\)\@<!-\=\d[0-9_]*\%(\.\d\+\)\=\ze\%(\a\+\|%\)\%([[:alnum:]_./-]\)\@!" nextgroup=meshUnit,meshUnitError
syn match   meshUnitError   contained "\a\+"
syn match   meshUnit        contained "\%(ms\|s\|m\|h\|d\|w\|KiB\|MiB\|GiB\|TiB\|KB\|MB\|GB\|TB\|B\|k\|M\|%\)\%([[:alnum:]_./-]\)\@!"
" `$1500`, `$0.25`.
syn match   meshMoney       "\%([[:alnum:]_.$-]\)\@<!\$\ze\d[0-9_]*\%(\.\d\+\)\=\%([[:alnum:]_./-]\)\@!" nextgroup=meshMoneyAmount
syn match   meshMoneyAmount contained "\d[0-9_]*\%(\.\d\+\)\="
" `1024-65535`, `10.0.0.5`, `10.20.0.0/16`.
syn match   meshPortRange   "\%([[:alnum:]_.$-]\)\@<!\d\+-\d\+\%([[:alnum:]_./-]\)\@!"
syn match   meshAddress     "\%([[:alnum:]_.$-]\)\@<!\d\{1,3}\%(\.\d\{1,3}\)\{3}\%([[:alnum:]_./-]\)\@!"
syn match   meshCidr        "\%([[:alnum:]_.$-]\)\@<!\d\{1,3}\%(\.\d\{1,3}\)\{3}/\d\{1,3}\%([[:alnum:]_./-]\)\@!"

syn cluster meshLiterals contains=meshString,meshBoolean,meshMalformed,meshNumber,meshQuantity,meshMoney,meshPortRange,meshAddress,meshCidr

" Values ------------------------------------------------------------------------

" `fargate { cpu = 1 }`: a choice with its settings.
syn match   meshConstructor contained "\%(=\s*\|\[\s*\|,\s*\)\@<=\<\k\+\>\ze\s*{"
" `orderId: string` and schema fields `note?: string`.
syn match   meshField       contained "\<\k\+\>\ze\s*?\=\s*:"
syn match   meshOptional    contained "?\ze\s*:"
syn match   meshTypeName    contained "\%(:\s*\|\[\s*\||\s*\)\@<=\<\k\+\>"
syn match   meshType        contained "\%(:\s*\|\[\s*\||\s*\)\@<=\<\%(string\|number\|int\|bool\|timestamp\|binary\)\>"
syn match   meshOperator    contained "[=|]"
syn match   meshDelimiter   contained "[:,.]"
syn match   meshBracket     contained "[][]"

" Blocks and members ----------------------------------------------------------

" `key = value`: the word before `=`.
syn match   meshKey         contained "\<\k\+\>\ze\s*="
syn match   meshKey         contained +"\%([^"\\]\|\\.\)*"\ze\s*=+ contains=meshString

" Nested blocks: `subnet app { }`, `index by-customer { }`, `step reserve { }`,
" `dlq { }`, `usage { }`, `schema { }`.
syn match   meshBlockKeyword contained "\<\%(subnet\|index\|step\)\>\ze\s\+\k\+\s*{" nextgroup=meshBlockName skipwhite
syn match   meshBlockName    contained "\<\k\+\>"
syn match   meshBlockKeyword contained "\<\%(dlq\|usage\)\>\ze\s*{"
syn match   meshBlockKeyword contained "\<schema\>\ze\s*{" nextgroup=meshSchema skipwhite
syn region  meshSchema       contained matchgroup=meshBrace start="{" end="}" contains=@meshComments,meshField,meshOptional,meshType,meshTypeName,meshString,meshOperator,meshDelimiter,meshBracket,meshSchemaObject fold
syn region  meshSchemaObject contained matchgroup=meshBrace start="{" end="}" contains=@meshComments,meshField,meshOptional,meshType,meshTypeName,meshString,meshOperator,meshDelimiter,meshBracket,meshSchemaObject

" Relations and their clauses.
syn match   meshRelation     contained "\<\%(calls\|publishes\|consumes\|uses\|subscribe\|matches\)\>\%(\s*=\)\@!"
syn match   meshAccess       contained "(\s*\k\+\s*)"
syn match   meshClause       contained "\<via\>\%(\s*=\)\@!"
syn region  meshWhere        contained matchgroup=meshClause start="\<where\>\%(\s*=\)\@!" end="\ze\s*[{}]" end="\ze\s\+via\>" end="$" oneline keepend contains=@meshComments,@meshLiterals,meshConditionWord,meshConditionField,meshComparison,meshDelimiter,meshBracket,meshConstructor,meshObject
syn match   meshConditionWord  contained "\<\%(and\|not\|in\|exists\|starts_with\|ends_with\)\>"
syn match   meshConditionField contained "\<\k\+\%(\.\k\+\)*\>\ze\s*\%(!=\|<=\|>=\|=\|<\|>\|\<not\>\|\<in\>\|\<exists\>\|\<starts_with\>\|\<ends_with\>\)"
syn match   meshComparison     contained "!=\|<=\|>=\|=\|<\|>"

" A `{ }` that holds members, entries of an object, or settings.
syn cluster meshMembers contains=@meshComments,@meshLiterals,meshKey,meshBlockKeyword,meshConstructor,meshField,meshOptional,meshType,meshOperator,meshDelimiter,meshBracket,meshObject
syn region  meshObject       contained matchgroup=meshBrace start="{" end="}" contains=@meshMembers fold

" The body of each kind of declaration.
syn region  meshBody         contained matchgroup=meshBrace start="{" end="}" contains=@meshMembers,meshRelation,meshAccess,meshClause,meshWhere fold
syn region  meshFirewallBody contained matchgroup=meshBrace start="{" end="}" contains=@meshMembers,meshNetAction,meshNetDirection,meshProtocol,meshNetPeer,meshAnywhere,meshPort fold

" Network rules: `allow in tcp 8443 from order`.
syn match   meshNetAction    contained "\<\%(allow\|deny\)\>\%(\s*=\)\@!"
syn match   meshNetDirection contained "\%(\<\%(allow\|deny\)\s\+\)\@<=\<\%(in\|out\)\>"
syn match   meshProtocol     contained "\%(\<\%(in\|out\)\s\+\)\@<=\<\%(tcp\|udp\|icmp\|all\)\>"
syn match   meshPort         contained "\%(\<\%(tcp\|udp\|icmp\|all\)\s\+\)\@<=\d\+\%([[:alnum:]_./-]\)\@!"
syn match   meshNetPeer      contained "\<\%(from\|to\)\>\ze\s\+\S"
syn match   meshAnywhere     contained "\%(\<\%(from\|to\)\s\+\)\@<=\<anywhere\>"

" Declarations: `kind name { members }`, at the top level only.
syn match   meshDeclaration  "\<\%(system\|network\|service\|event\|bus\|rule\|queue\|topic\|stream\|table\|database\|bucket\|secret\|parameter\|saga\)\>" nextgroup=meshDeclName skipwhite skipnl skipempty
syn match   meshDeclName     contained "\<\k\+\>" nextgroup=meshBody skipwhite skipnl skipempty
syn match   meshDeclaration  "\<\%(firewall\|nacl\)\>" nextgroup=meshFirewallName skipwhite skipnl skipempty
syn match   meshFirewallName contained "\<\k\+\>" nextgroup=meshFirewallBody skipwhite skipnl skipempty

syn sync fromstart

" Highlighting ------------------------------------------------------------------

hi def link meshTodo           Todo
hi def link meshLineComment    Comment
hi def link meshBlockComment   Comment
hi def link meshDocComment     SpecialComment

hi def link meshString         String
hi def link meshEscape         SpecialChar
hi def link meshEscapeError    Error
hi def link meshBoolean        Boolean
hi def link meshNumber         Number
hi def link meshQuantity       Number
hi def link meshUnit           Special
hi def link meshUnitError      Error
hi def link meshMoney          Special
hi def link meshMoneyAmount    Number
hi def link meshPortRange      Number
hi def link meshAddress        Number
hi def link meshCidr           Number
hi def link meshMalformed      Error

hi def link meshDeclaration    Structure
hi def link meshDeclName       Typedef
hi def link meshFirewallName   Typedef
hi def link meshBlockKeyword   Keyword
hi def link meshBlockName      Identifier
hi def link meshKey            Identifier
hi def link meshField          Label
hi def link meshOptional       Operator
hi def link meshType           Type
hi def link meshTypeName       Type
hi def link meshConstructor    Function

hi def link meshRelation       Statement
hi def link meshAccess         StorageClass
hi def link meshClause         Conditional
hi def link meshConditionWord  Operator
hi def link meshConditionField Label
hi def link meshComparison     Operator

hi def link meshNetAction      Statement
hi def link meshNetDirection   Keyword
hi def link meshProtocol       Constant
hi def link meshPort           Number
hi def link meshNetPeer        Keyword
hi def link meshAnywhere       Constant

hi def link meshOperator       Operator
hi def link meshDelimiter      Delimiter
hi def link meshBracket        Delimiter
hi def link meshBrace          Delimiter

let b:current_syntax = 'mesh'

let &cpo = s:cpo_save
unlet s:cpo_save
