" Vim filetype plugin
" Language: Mesh (.mesh files of meshc)

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

" `//` comments; `///` doc comments continue as doc comments; `/* */` blocks.
setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,:///,://
" Wrap and continue comments, not code.
setlocal formatoptions-=t formatoptions+=croql
" Names hold `-`: `payments-db` is one word.
setlocal iskeyword=@,48-57,_,-
setlocal suffixesadd=.mesh

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword< suffixesadd<'

let &cpo = s:cpo_save
unlet s:cpo_save
