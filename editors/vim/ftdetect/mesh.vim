" .mesh files: system descriptions checked by meshc.
autocmd BufRead,BufNewFile *.mesh setfiletype mesh
