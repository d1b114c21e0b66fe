-- syntax/newsmark.vim: the regex highlighting gives the expected groups at known places.
local dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
package.path = dir .. '/?.lua;' .. package.path
local H = require('helpers')

local SAMPLE = {
  '---',
  'title: Lavrov in Tokyo',
  '---',
  '%% editors\' note with @lavrov',
  '# Talks with @kishida',
  '@lavrov: person "Sergey Lavrov"',
  '  member-of: @mfa-ru',
  '  aka: Lavrov',
  '@bad: persn "Typo"',
  '',
  '[Sergey Lavrov]{@lavrov} met @kishida; mail x@y.com and \\@abe.',
  '"We plan to talk with @abe," he said. “Curly”{@lavrov via=@jiji} «Guillemets»{-} „Low-high“',
  '"Outer \'inner\' and don\'t," said @putin.',
  '"Unclosed quotation',
  '',
  'Prose again after the blank line.',
}

-- { line, text to find, [occurrence], expected syntax group of its first character (innermost) }
local CASES = {
  { 1, '---', 'newsmarkFrontMatterDelim' },
  { 2, 'title', 'newsmarkFrontMatterKey' },
  { 2, 'Lavrov', 'newsmarkFrontMatterValue' },
  { 4, '%%', 'newsmarkComment' },
  { 4, '@lavrov', 'newsmarkComment' },
  { 5, '#', 'newsmarkHeadingMarker' },
  { 5, 'Talks', 'newsmarkHeading' },
  { 5, '@kishida', 'newsmarkMention' },
  { 6, 'lavrov', 'newsmarkDefId' },
  { 6, 'person', 'newsmarkKind' },
  { 6, '"Sergey', 'newsmarkName' },
  { 7, 'member-of', 'newsmarkPropKey' },
  { 7, '@mfa-ru', 'newsmarkRef' },
  { 8, 'aka', 'newsmarkPropKey' },
  { 9, 'persn', 'newsmarkBadKind' },
  { 11, 'Sergey', 'newsmarkSpanSurface' },
  { 11, '@lavrov', 'newsmarkAttrId' },
  { 11, '@kishida', 'newsmarkMention' },
  { 11, '@y.com', '' },
  { 11, '\\@', 'newsmarkEscape' },
  { 12, 'We plan', 'newsmarkQuote' },
  { 12, '@abe', 'newsmarkMention' },
  { 12, 'he said', '' },
  { 12, 'Curly', 'newsmarkQuote' },
  { 12, 'via', 'newsmarkAttrVia' },
  { 12, '@jiji', 'newsmarkAttrId' },
  { 12, 'Guillemets', 'newsmarkQuote' },
  { 12, '-}', 'newsmarkAttrNone' },
  { 12, 'Low-high', 'newsmarkQuote' },
  { 13, 'inner', 'newsmarkQuoteSingle' },
  { 13, 't,"', 'newsmarkQuote' },
  { 13, '@putin', 'newsmarkMention' },
  { 14, 'Unclosed', 'newsmarkQuote' },
  { 16, 'Prose', '' },
}

H.run('nvim syntax/newsmark.vim', function()
  H.step('syntax groups at known places', function()
    H.editor()
    local path = vim.fn.tempname() .. '.nmk'
    vim.fn.writefile(SAMPLE, path)
    vim.cmd.edit(path)
    assert(vim.bo.filetype == 'newsmark', 'filetype: ' .. vim.bo.filetype)
    assert(vim.b.current_syntax == 'newsmark', 'syntax not loaded')
    local bad = {}
    for _, c in ipairs(CASES) do
      local lnum, text, want = c[1], c[2], c[3]
      local col = SAMPLE[lnum]:find(text, 1, true)
      assert(col, ('line %d has no %q'):format(lnum, text))
      local stack = vim.fn.synstack(lnum, col)
      local got = #stack > 0 and vim.fn.synIDattr(stack[#stack], 'name') or ''
      if got ~= want then
        local names = vim.tbl_map(function(id)
          return vim.fn.synIDattr(id, 'name')
        end, stack)
        bad[#bad + 1] = ('line %d %q: expected %q, got %q (stack %s)'):format(lnum, text, want, got, table.concat(names, '>'))
      end
    end
    assert(#bad == 0, #bad .. ' of ' .. #CASES .. ' wrong:\n      ' .. table.concat(bad, '\n      '))
  end)
end)
