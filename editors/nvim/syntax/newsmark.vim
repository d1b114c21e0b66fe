" Vim syntax file
" Language:   newsmark (annotated news articles, *.nmk)
" This is the regex layer; the language server's semantic tokens refine it (entity kinds).

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Quotations may run over several lines of a paragraph.
syn sync minlines=60

" An entity ID: [A-Za-z0-9_]+ with single - or . between runs.
" (written out in every pattern below)

" Front matter: only at the very top of the file.
syn region newsmarkFrontMatter matchgroup=newsmarkFrontMatterDelim start=/\%^\%(\%uFEFF\)\=---\s*$/ end=/^---\s*$/ contains=newsmarkFrontMatterKey,newsmarkComment keepend
syn match newsmarkFrontMatterKey /^[A-Za-z0-9_][A-Za-z0-9_.-]*\ze\s*:/ contained nextgroup=newsmarkFrontMatterSep
syn match newsmarkFrontMatterSep /\s*:/ contained nextgroup=newsmarkFrontMatterValue
syn match newsmarkFrontMatterValue /.*$/ contained

" Escapes: \ escapes the next character.
syn match newsmarkEscape /\\./

" Bare mention @id (not in e-mail addresses: the @ follows the start of a line, white space or opening punctuation).
syn match newsmarkMention /\%(^\|[[:space:]([{"“«'‘—–]\@1<=\)@[A-Za-z0-9_]\+\%([.-][A-Za-z0-9_]\+\)*/

" Span mention [surface]{@id}; the surface is not parsed except for \] escapes.
syn match newsmarkSpan /\[\%([^]\\]\|\\.\)*\]{[^{}]*}/ contains=newsmarkSpanSurface,newsmarkSpanBracket,newsmarkAttr
syn match newsmarkSpanBracket /\[\|\]\ze{/ contained
syn match newsmarkSpanSurface /\[\@1<=\%([^]\\]\|\\.\)*\ze\]{/ contained contains=newsmarkEscape

" Attribute block after a closing quotation mark (or a span): {@id}, {@id via=@id2}, {-}.
syn match newsmarkAttr /\%(["”»“’'\]]\@1<=\){[^{}]*}/ contains=newsmarkAttrId,newsmarkAttrVia,newsmarkAttrNone,newsmarkAttrBrace
syn match newsmarkAttrBrace /[{}]/ contained
syn match newsmarkAttrId /@[A-Za-z0-9_]\+\%([.-][A-Za-z0-9_]\+\)*/ contained
syn match newsmarkAttrVia /\<via\ze\s*=/ contained
syn match newsmarkAttrNone /{\@1<=\s*-\s*\ze}/ contained

" Quotations, in every mark style. One that is never closed stops at the end of its paragraph
" (a blank line, a heading or a definition).
syn cluster newsmarkQuoteInner contains=newsmarkEscape,newsmarkMention,newsmarkSpan,newsmarkQuoteSingle,newsmarkQuoteSingleCurly,newsmarkComment
let s:para_end = 'end=/^\ze\s*$/ end=/^\ze\%(#\{1,6}\%(\s\|$\)\|@[A-Za-z0-9_.-]*:\)/'
exe 'syn region newsmarkQuote matchgroup=newsmarkQuoteMark start=/\%(^\|[[:space:]([{—–]\@1<=\)"/ end=/"/ ' . s:para_end . ' contains=@newsmarkQuoteInner'
exe 'syn region newsmarkQuote matchgroup=newsmarkQuoteMark start=/“/ end=/”/ ' . s:para_end . ' contains=@newsmarkQuoteInner'
exe 'syn region newsmarkQuote matchgroup=newsmarkQuoteMark start=/«/ end=/»/ ' . s:para_end . ' contains=@newsmarkQuoteInner'
exe 'syn region newsmarkQuote matchgroup=newsmarkQuoteMark start=/„/ end=/“/ ' . s:para_end . ' contains=@newsmarkQuoteInner'
" Single quotes nest inside double ones (or are primary in British style); an apostrophe
" between letters (don't) neither opens nor closes.
exe 'syn region newsmarkQuoteSingle matchgroup=newsmarkQuoteMark start=/\%(^\|[[:space:]([{—–"“«„]\@1<=\)''\ze[^[:space:]'']/ end=/\S\@1<=''\%([[:alnum:]]\)\@!/ ' . s:para_end . ' contains=newsmarkEscape,newsmarkMention,newsmarkSpan'
exe 'syn region newsmarkQuoteSingleCurly matchgroup=newsmarkQuoteMark start=/‘/ end=/’\%([[:alnum:]]\)\@!/ ' . s:para_end . ' contains=newsmarkEscape,newsmarkMention,newsmarkSpan'

" Headings (ATX).
syn match newsmarkHeading /^#\{1,6}\%(\s.*\)\=$/ contains=newsmarkHeadingMarker,newsmarkMention,newsmarkSpan,newsmarkEscape
syn match newsmarkHeadingMarker /^#\{1,6}/ contained

" Entity definitions: a line @id: kind "Name" at column 0, then indented `key: value` lines.
syn region newsmarkDefinition start=/^@\%([A-Za-z0-9_]\+\%([.-][A-Za-z0-9_]\+\)*\)\=:/ end=/\n\%([ \t]\+\S\)\@!/ keepend contains=newsmarkDefHead,newsmarkProperty,newsmarkComment
syn match newsmarkDefHead /^@[^:]*:.*$/ contained contains=newsmarkDefId,newsmarkBadKind,newsmarkKind,newsmarkName
syn match newsmarkDefId /^@[A-Za-z0-9_.-]*\ze:/ contained
syn match newsmarkBadKind /:\@1<=\s*\zs[^[:space:]"]\+/ contained
syn match newsmarkKind /:\@1<=\s*\zs\%(person\|org\|place\|agreement\|event\|work\|other\)\>[-.]\@!/ contained
syn match newsmarkName /"\%([^"\\]\|\\.\)*"/ contained contains=newsmarkEscape
syn match newsmarkProperty /^[ \t]\+[A-Za-z0-9_][A-Za-z0-9_.-]*\s*:.*$/ contained contains=newsmarkPropKey,newsmarkRef,newsmarkEscape
syn match newsmarkPropKey /^[ \t]\+\zs[A-Za-z0-9_][A-Za-z0-9_.-]*\ze\s*:/ contained
syn match newsmarkRef /\%([A-Za-z0-9_.\\-]\)\@1<!@[A-Za-z0-9_]\+\%([.-][A-Za-z0-9_]\+\)*/ contained

" Comments: a line whose first non-blank characters are %%.
syn match newsmarkComment /^\s*%%.*$/ contains=@Spell

hi def link newsmarkFrontMatterDelim  PreProc
hi def link newsmarkFrontMatterKey    Keyword
hi def link newsmarkFrontMatterSep    Delimiter
hi def link newsmarkFrontMatterValue  String
hi def link newsmarkComment           Comment
hi def link newsmarkHeading           Title
hi def link newsmarkHeadingMarker     Delimiter
hi def link newsmarkDefId             Function
hi def link newsmarkKind              Type
hi def link newsmarkBadKind           Error
hi def link newsmarkName              String
hi def link newsmarkPropKey           Label
hi def link newsmarkRef               Identifier
hi def link newsmarkMention           Identifier
hi def link newsmarkSpanSurface       Underlined
hi def link newsmarkSpanBracket       Delimiter
hi def link newsmarkAttrBrace         Delimiter
hi def link newsmarkAttrId            Identifier
hi def link newsmarkAttrVia           Keyword
hi def link newsmarkAttrNone          Keyword
hi def link newsmarkQuote             String
hi def link newsmarkQuoteSingle       String
hi def link newsmarkQuoteSingleCurly  String
hi def link newsmarkQuoteMark         Delimiter
hi def link newsmarkEscape            SpecialChar

let b:current_syntax = 'newsmark'

let &cpo = s:cpo_save
unlet s:cpo_save
