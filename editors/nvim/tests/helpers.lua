-- Shared helpers for the headless Neovim tests. Each test file is run as
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/nvim' -c 'luafile editors/nvim/tests/<file>.lua'
-- under `timeout`, with NEWSMARK_BIN (the server binary) and NEWSMARK_EXAMPLE (the article) set.
local H = {}

function H.log(...)
  local parts = {}
  for i = 1, select('#', ...) do
    parts[#parts + 1] = tostring(select(i, ...))
  end
  io.stdout:write(table.concat(parts, ' '), '\n')
  io.stdout:flush()
end

local current_step = '(setup)'
local t0 = vim.uv and vim.uv.hrtime() or vim.loop.hrtime()
local function elapsed()
  return ((vim.uv or vim.loop).hrtime() - t0) / 1e9
end

--- Runs one named step; an error inside fails the whole test with the step's name.
function H.step(name, fn)
  current_step = name
  local s = elapsed()
  fn()
  H.log(('  ok   %-58s %6.2fs'):format(name, elapsed() - s))
end

--- Waits for cond() or fails with msg (msg may be a function for a late, detailed message).
function H.wait(ms, cond, msg)
  local ok = vim.wait(ms, function()
    local good, res = pcall(cond)
    return good and res
  end, 20)
  if not ok then
    error(type(msg) == 'function' and msg() or msg, 0)
  end
end

function H.env(name, default)
  local v = os.getenv(name)
  if v == nil or v == '' then
    if default ~= nil then
      return default
    end
    error(('environment variable %s is not set'):format(name), 0)
  end
  return v
end

--- A fresh workspace folder (with a .git root marker) holding a copy of the example article, to
--- which `extra` lines are appended. Returns the folder and the article's path.
function H.workspace(extra)
  local dir = vim.fn.tempname() .. '-ws'
  vim.fn.mkdir(dir .. '/.git', 'p')
  local lines = vim.fn.readfile(H.env('NEWSMARK_EXAMPLE'))
  vim.list_extend(lines, extra or {})
  local path = dir .. '/lavrov-tokyo.nmk'
  vim.fn.writefile(lines, path)
  return dir, path
end

--- The lines appended to the example: one undefined entity, one unattributed quotation.
H.BROKEN = {
  '',
  '%% Deliberately broken by the editor tests:',
  'Talks with @undefined_person went on.',
  '',
  '"This quotation has no speaker anywhere in the prose of its paragraph," a source close to the talks said.',
}

--- 0-based line number of the first line matching a Lua pattern.
function H.find_line(buf, pat)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find(pat) then
      return i - 1, l
    end
  end
  error('no line matches ' .. pat, 0)
end

--- Occurrences of entity ID `id` used as an ID (after @, not followed by more ID characters).
function H.count_id(buf, id)
  local n = 0
  for _, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    for found, tail in l:gmatch('@([%w_]+[%w_.%-]*)(.?)') do
      found = found:gsub('[.%-]+$', '')
      if found == id then
        n = n + 1
      end
    end
  end
  return n
end

function H.client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'newsmark' })[1]
end

function H.diag_summary(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    out[#out + 1] = ('%d:%d %s [%s] %s'):format(d.lnum + 1, d.col + 1, vim.diagnostic.severity[d.severity], tostring(d.code), d.message)
  end
  return #out > 0 and table.concat(out, '\n      ') or '(none)'
end

--- Sets up filetype detection and syntax the way a user's init would, without a user config.
function H.editor()
  vim.cmd('filetype plugin on')
  vim.cmd('syntax on')
end

--- Runs `main` and exits Neovim: 0 when it passed, 1 with the failing step's name otherwise.
function H.run(title, main)
  H.log('# ' .. title)
  local ok, err = xpcall(main, debug.traceback)
  pcall(function()
    for _, c in ipairs(vim.lsp.get_clients()) do
      c:stop(true)
    end
  end)
  if ok then
    H.log(('PASS %s (%.2fs)'):format(title, elapsed()))
    vim.cmd('qall!')
  else
    H.log(('FAIL %s, step "%s": %s'):format(title, current_step, tostring(err)))
    vim.cmd('cquit 1')
  end
end

return H
