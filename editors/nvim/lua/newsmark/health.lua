-- :checkhealth newsmark
local M = {}

local h = vim.health
local start = h.start or h.report_start
local ok = h.ok or h.report_ok
local warn = h.warn or h.report_warn
local err = h.error or h.report_error
local info = h.info or h.report_info

-- :checkhealth makes its own buffer current before running the checks, so look for the buffer
-- the user was in: the current one, the alternate one, else the most recently used newsmark buffer.
local function newsmark_buffer()
  local cur = vim.api.nvim_get_current_buf()
  if vim.bo[cur].filetype == 'newsmark' then
    return cur
  end
  local alt = vim.fn.bufnr('#')
  if alt > 0 and vim.api.nvim_buf_is_loaded(alt) and vim.bo[alt].filetype == 'newsmark' then
    return alt
  end
  local best, best_used = nil, -1
  for _, b in ipairs(vim.fn.getbufinfo({ bufloaded = 1 })) do
    if vim.bo[b.bufnr].filetype == 'newsmark' and b.lastused > best_used then
      best, best_used = b.bufnr, b.lastused
    end
  end
  return best
end

function M.check()
  local newsmark = require('newsmark')

  start('newsmark: Neovim')
  local v = vim.version()
  local vs = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    ok('Neovim ' .. vs .. ' (vim.lsp.config / vim.lsp.enable)')
  elseif vim.fn.has('nvim-0.9') == 1 then
    ok('Neovim ' .. vs .. ': use require("newsmark").setup() (vim.lsp.start path)')
  else
    err('Neovim ' .. vs .. ' is too old', { 'Neovim 0.9 or later is needed; 0.11 or later is recommended' })
  end
  if vim.filetype.match({ filename = 'article.nmk' }) == 'newsmark' then
    ok('*.nmk files are detected as filetype newsmark')
  else
    err('*.nmk files are not detected as newsmark', { 'Put editors/nvim on runtimepath or call require("newsmark").setup()' })
  end

  start('newsmark: language server binary')
  local cmd = newsmark.current_cmd()
  local exe = cmd[1]
  local path = vim.fn.exepath(exe)
  if path == '' then
    err(('"%s" not found (cmd = %s)'):format(exe, vim.inspect(cmd)), {
      'put newsmark on PATH: build it with `cargo install --path .` in the newsmark repository',
      'or set the command: require("newsmark").setup({ cmd = { "/path/to/newsmark", "lsp" } })',
      'or vim.lsp.config("newsmark", { cmd = { "/path/to/newsmark", "lsp" } })',
    })
  else
    ok('found ' .. path)
    local out = vim.fn.system({ path, '--version' })
    local version = vim.trim(out or '')
    if vim.v.shell_error == 0 and version:match('^newsmark %d+%.%d+%.%d+') then
      ok('version: ' .. version)
    else
      warn(('`%s --version` gave %q (exit %d)'):format(path, version, vim.v.shell_error),
        { 'expected "newsmark X.Y.Z"; is this the newsmark binary?' })
    end
  end

  start('newsmark: client')
  if newsmark.mode then
    info('set up with require("newsmark").setup() via ' .. (newsmark.mode == 'enable' and 'vim.lsp.enable' or 'vim.lsp.start'))
  elseif vim.lsp.config and vim.lsp.is_enabled and vim.lsp.is_enabled('newsmark') then
    info('enabled with vim.lsp.enable("newsmark")')
  end
  local buf = newsmark_buffer()
  if not buf then
    info('no newsmark buffer is open: open a *.nmk file to check that the server attaches')
    return
  end
  local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ':~:.')
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local clients = get({ bufnr = buf, name = 'newsmark' })
  if #clients == 0 then
    err(('the newsmark server is not attached to buffer %d (%s)'):format(buf, name), {
      'check :LspLog, and that the binary above runs: newsmark lsp',
      'the client starts when a buffer gets filetype newsmark (vim.lsp.enable("newsmark") or setup())',
    })
    return
  end
  for _, c in ipairs(clients) do
    local server = c.server_info and (c.server_info.name .. ' ' .. (c.server_info.version or '')) or 'newsmark'
    ok(('attached to buffer %d (%s): client %d, %s, root %s'):format(buf, name, c.id, vim.trim(server), tostring(c.root_dir or c.config.root_dir)))
  end
end

return M
