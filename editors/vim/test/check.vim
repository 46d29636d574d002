" Checks the Vim support of .mesh files. Run from the repository root:
"
"   vim -Nu NONE -i NONE -es -S editors/vim/test/check.vim
"
" It loads editors/vim as a plugin directory, opens examples/shop.mesh, and
" checks the filetype, the ftplugin settings and the syntax group of named
" places in the file. Failures and Vim errors go to the file named by
" $MESH_VIM_LOG (default: editors/vim/test/check.log); Vim exits non-zero on
" any of them.

let s:log = empty($MESH_VIM_LOG) ? 'editors/vim/test/check.log' : $MESH_VIM_LOG
let s:failures = []
let s:checks = 0

function! s:Fail(message) abort
  call add(s:failures, a:message)
endfunction

" The syntax group at the first occurrence of `text` on the first line that
" contains `line`, or that `line` matches when it starts with \v (the `nth`
" occurrence of `text` when given).
function! s:Expect(line, text, group, ...) abort
  let s:checks += 1
  let l:nth = a:0 ? a:1 : 1
  let l:pattern = a:line =~# '^\\v' ? a:line : '\V' . escape(a:line, '\')
  let l:lnum = search(l:pattern, 'cnw')
  if l:lnum == 0
    call s:Fail('no line contains ' . string(a:line))
    return
  endif
  let l:col = -1
  for l:i in range(l:nth)
    let l:col = stridx(getline(l:lnum), a:text, l:col + 1)
  endfor
  if l:col < 0
    call s:Fail('line ' . l:lnum . ' has no ' . string(a:text))
    return
  endif
  let l:actual = synIDattr(synID(l:lnum, l:col + 1, 1), 'name')
  if l:actual !=# a:group
    call s:Fail(printf('line %d, %s: expected %s, got %s', l:lnum, string(a:text), a:group, string(l:actual)))
  endif
endfunction

try
  set nocompatible
  let &runtimepath = fnamemodify('editors/vim', ':p') . ',' . &runtimepath
  filetype plugin on
  syntax on
  edit examples/shop.mesh

  let s:checks += 3
  if &filetype !=# 'mesh' | call s:Fail('filetype is ' . string(&filetype)) | endif
  if &commentstring !=# '// %s' | call s:Fail('commentstring is ' . string(&commentstring)) | endif
  if get(b:, 'current_syntax', '') !=# 'mesh' | call s:Fail('syntax/mesh.vim did not load') | endif

  " What any version of the example has.
  call s:Expect('\v^\/\/\/', '///', 'meshDocComment')
  call s:Expect('system shop {', 'system', 'meshDeclaration')
  call s:Expect('system shop {', 'shop', 'meshDeclName')
  call s:Expect('\v^\s+region\s*\=', 'region', 'meshKey')
  call s:Expect('service order {', 'service', 'meshDeclaration')
  call s:Expect('service order {', 'order', 'meshDeclName')
  call s:Expect('\v^\s+calls ', 'calls', 'meshRelation')
  call s:Expect('\v^\s+publishes ', 'publishes', 'meshRelation')

  " A service, an event and a network as the example writes them, in a
  " scratch buffer so that edits of the example do not move them.
  enew!
  setfiletype mesh
  call setline(1, [
        \ 'system shop {',
        \ '  region = "us-east-1"',
        \ '  budget = $1500',
        \ '}',
        \ 'network main {',
        \ '  cidr      = 10.20.0.0/16',
        \ '  zones     = 2',
        \ '  flow_logs = true',
        \ '  subnet edge { tier = public }',
        \ '}',
        \ 'bus commerce { archive = 7d }',
        \ 'event OrderCreated {',
        \ '  bus    = commerce',
        \ '  schema {',
        \ '    orderId: string',
        \ '    status: "pending" | "confirmed"',
        \ '  }',
        \ '}',
        \ 'queue notifications {',
        \ '  dlq { max_receives = 3  retention = 14d }',
        \ '}',
        \ 'database payments-db { engine = postgres  storage = 50GB }',
        \ 'bucket data-lake { expire = 400d }',
        \ 'secret card-processor-key {}',
        \ 'parameter checkout-limits { value = "50" }',
        \ 'service order {',
        \ '  compute = fargate { cpu = 0.5  memory = 1GB }',
        \ '  uses orders (read_write)',
        \ '  calls payment { via = privatelink  timeout = 3s  breaker = { errors = 50%  reset = 30s } }',
        \ '  consumes OrderCreated where status = "confirmed"',
        \ '  consumes [OrderCreated, PaymentFailed] via notifications',
        \ '}',
        \ 'saga checkout {',
        \ '  trigger = OrderCreated where status = "pending"',
        \ '}',
        \ ])
  call s:Expect('region = "us-east-1"', '"us-east-1"', 'meshString')
  call s:Expect('budget = $1500', '$', 'meshMoney')
  call s:Expect('budget = $1500', '1500', 'meshMoneyAmount')
  call s:Expect('cidr      = 10.20.0.0/16', '10.20.0.0/16', 'meshCidr')
  call s:Expect('zones     = 2', '2', 'meshNumber')
  call s:Expect('flow_logs = true', 'true', 'meshBoolean')
  call s:Expect('subnet edge', 'subnet', 'meshBlockKeyword')
  call s:Expect('subnet edge', 'edge', 'meshBlockName')
  call s:Expect('bus commerce { archive = 7d }', '7', 'meshQuantity')
  call s:Expect('bus commerce { archive = 7d }', 'd }', 'meshUnit')
  call s:Expect('  bus    = commerce', 'bus', 'meshKey')
  call s:Expect('  schema {', 'schema', 'meshBlockKeyword')
  call s:Expect('orderId: string', 'orderId', 'meshField')
  call s:Expect('orderId: string', 'string', 'meshType')
  call s:Expect('status: "pending" | "confirmed"', '|', 'meshOperator')
  call s:Expect('dlq { max_receives', 'dlq', 'meshBlockKeyword')
  call s:Expect('storage = 50GB', 'GB', 'meshUnit')
  call s:Expect('bucket data-lake', 'bucket', 'meshDeclaration')
  call s:Expect('bucket data-lake', 'data-lake', 'meshDeclName')
  call s:Expect('secret card-processor-key', 'secret', 'meshDeclaration')
  call s:Expect('parameter checkout-limits', 'parameter', 'meshDeclaration')
  call s:Expect('parameter checkout-limits', 'checkout-limits', 'meshDeclName')
  call s:Expect('compute = fargate', 'fargate', 'meshConstructor')
  call s:Expect('uses orders (read_write)', 'uses', 'meshRelation')
  call s:Expect('uses orders (read_write)', '(read_write)', 'meshAccess')
  call s:Expect('calls payment {', 'calls', 'meshRelation')
  call s:Expect('calls payment {', 'via', 'meshKey')
  call s:Expect('calls payment {', '3s', 'meshQuantity')
  call s:Expect('calls payment {', '50%', 'meshQuantity')
  call s:Expect('calls payment {', '%', 'meshUnit')
  call s:Expect('consumes OrderCreated where', 'where', 'meshClause')
  call s:Expect('consumes OrderCreated where', 'status', 'meshConditionField')
  call s:Expect('consumes OrderCreated where', '=', 'meshComparison')
  call s:Expect('via notifications', 'via', 'meshClause')
  call s:Expect('trigger = OrderCreated where', 'trigger', 'meshKey')
  call s:Expect('trigger = OrderCreated where', 'where', 'meshClause')
  call s:Expect('trigger = OrderCreated where', 'status', 'meshConditionField')

  " Cases the example does not show, in a scratch buffer.
  enew!
  setfiletype mesh
  call setline(1, [
        \ '/* a /* nested */ still */ queue queue { queue = queue }',
        \ '//// four slashes',
        \ 'system s { a = -3  b = 3parsecs  c = 10.0.0/16  d = 10.0.0.5  e = "\t\q"  f = 1B }',
        \ 'table t { projection = all  x = true-ish }',
        \ 'event E { schema { note?: string  kind: Custom  meta: { hops: int } } }',
        \ 'saga g { step confirm { do = order.confirm }  // point of no return',
        \ '}',
        \ 'firewall payment {  // the security group',
        \ '  allow in tcp 8443 from order',
        \ '}',
        \ 'nacl app-acl {',
        \ '  subnet = app',
        \ '  allow in  tcp 1024-65535 from 0.0.0.0/0',
        \ '  deny out all to anywhere',
        \ '}',
        \ ])
  call s:Expect('still */', 'still', 'meshBlockComment')
  call s:Expect('queue queue {', 'queue', 'meshDeclaration', 1)
  call s:Expect('queue queue {', 'queue', 'meshDeclName', 2)
  call s:Expect('queue queue {', 'queue', 'meshKey', 3)
  call s:Expect('queue queue {', 'queue =', 'meshKey')
  call s:Expect('//// four', '////', 'meshLineComment')
  call s:Expect('a = -3', '-3', 'meshNumber')
  call s:Expect('a = -3', 'parsecs', 'meshUnitError')
  call s:Expect('a = -3', '10.0.0/16', 'meshMalformed')
  call s:Expect('a = -3', '10.0.0.5', 'meshAddress')
  call s:Expect('a = -3', '\t', 'meshEscape')
  call s:Expect('a = -3', '\q', 'meshEscapeError')
  call s:Expect('a = -3', 'B }', 'meshUnit')
  call s:Expect('projection = all', 'all', 'meshBody')
  call s:Expect('projection = all', 'true-ish', 'meshBody')
  call s:Expect('note?: string', '?', 'meshOptional')
  call s:Expect('note?: string', 'Custom', 'meshTypeName')
  call s:Expect('note?: string', 'hops', 'meshField')
  call s:Expect('note?: string', 'int', 'meshType')
  call s:Expect('step confirm', 'step', 'meshBlockKeyword')
  call s:Expect('step confirm', 'confirm', 'meshBlockName')
  call s:Expect('step confirm', '// point of no return', 'meshLineComment')
  call s:Expect('firewall payment {', 'firewall', 'meshDeclaration')
  call s:Expect('firewall payment {', 'payment', 'meshFirewallName')
  call s:Expect('firewall payment {', '// the security group', 'meshLineComment')
  call s:Expect('allow in tcp 8443 from order', 'allow', 'meshNetAction')
  call s:Expect('allow in tcp 8443 from order', 'in', 'meshNetDirection')
  call s:Expect('allow in tcp 8443 from order', 'tcp', 'meshProtocol')
  call s:Expect('allow in tcp 8443 from order', '8443', 'meshPort')
  call s:Expect('allow in tcp 8443 from order', 'from', 'meshNetPeer')
  call s:Expect('nacl app-acl', 'nacl', 'meshDeclaration')
  call s:Expect('subnet = app', 'subnet', 'meshKey')
  call s:Expect('allow in  tcp 1024-65535', '1024-65535', 'meshPortRange')
  call s:Expect('allow in  tcp 1024-65535', '0.0.0.0/0', 'meshCidr')
  call s:Expect('deny out all to anywhere', 'deny', 'meshNetAction')
  call s:Expect('deny out all to anywhere', 'out', 'meshNetDirection')
  call s:Expect('deny out all to anywhere', 'all', 'meshProtocol')
  call s:Expect('deny out all to anywhere', 'to', 'meshNetPeer')
  call s:Expect('deny out all to anywhere', 'anywhere', 'meshAnywhere')
catch
  call s:Fail('error: ' . v:exception . ' at ' . v:throwpoint)
endtry

if !empty(v:errmsg)
  call s:Fail('Vim reported: ' . v:errmsg)
endif

let s:summary = printf('vim: %d passed, %d failed', max([0, s:checks - len(s:failures)]), len(s:failures))
call writefile(s:failures + [s:summary], s:log)
if empty(s:failures)
  qall!
endif
cquit!
