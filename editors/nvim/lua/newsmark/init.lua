-- newsmark for Neovim: filetype, LSP client set-up and health check.
--
--   require('newsmark').setup({
--     cmd = { '/path/to/newsmark', 'lsp' },              -- default: { 'newsmark', 'lsp' } (PATH)
--     settings = { severity = { ['unused-entity'] = 'off' },  -- server configuration, newsmark.toml shape
--                  attribution = { ['reporting-verbs'] = { 'quipped' } } },
--     root_markers = { 'newsmark.toml', '.git' },
--     on_attach = function(client, bufnr) end,           -- optional
--     capabilities = nil,                                -- optional, merged by Neovim
--     use_lsp_start = false,   -- force the vim.lsp.start() path (what Neovim 0.9/0.10 use)
--   })
--
-- On Neovim 0.11+ setup() registers the configuration with vim.lsp.config() and turns it on with
-- vim.lsp.enable(); on 0.9/0.10 (or with use_lsp_start) it starts the client from a FileType
-- autocommand with vim.lsp.start().
local M = {}

M.name = 'newsmark'
M.default_cmd = { 'newsmark', 'lsp' }
M.default_root_markers = { 'newsmark.toml', '.git' }

--- The options given to the last setup() call (nil before).
M.options = nil
--- Which path setup() took: 'enable' (0.11+) or 'start'.
M.mode = nil

local function has_enable()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil and vim.fn.has('nvim-0.11') == 1
end

--- The LSP client configuration that setup() uses, from the given options.
---@param opts table|nil
---@return table
function M.config(opts)
  opts = opts or {}
  local settings = opts.settings or {}
  local cfg = {
    name = M.name,
    cmd = opts.cmd or M.default_cmd,
    filetypes = { 'newsmark' },
    root_markers = opts.root_markers or M.default_root_markers,
    -- The server reads the same object from initializationOptions and from settings.newsmark.
    init_options = opts.init_options or (next(settings) and settings or vim.empty_dict()),
    settings = { newsmark = next(settings) and settings or vim.empty_dict() },
    on_attach = opts.on_attach,
    capabilities = opts.capabilities,
  }
  return cfg
end

--- The command the client runs, as currently configured (for :checkhealth).
---@return string[]
function M.current_cmd()
  if M.options then
    return M.config(M.options).cmd
  end
  if has_enable() then
    local ok, cfg = pcall(function()
      return vim.lsp.config[M.name]
    end)
    if ok and cfg and type(cfg.cmd) == 'table' then
      return cfg.cmd
    end
  end
  return M.default_cmd
end

local function root_dir_for(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= '' and vim.fs.dirname(name) or vim.fn.getcwd()
  local found = vim.fs.find(markers, { path = start, upward = true })[1]
  return found and vim.fs.dirname(found) or start
end

--- Starts (or reuses) the client for one buffer with vim.lsp.start() (the Neovim 0.9/0.10 path).
---@param bufnr integer
---@param cfg table
---@return integer|nil client id
function M.start(bufnr, cfg)
  local start_cfg = vim.deepcopy(cfg)
  start_cfg.filetypes = nil
  start_cfg.root_markers = nil
  start_cfg.root_dir = root_dir_for(bufnr, cfg.root_markers)
  return vim.lsp.start(start_cfg, { bufnr = bufnr })
end

---@param opts table|nil
function M.setup(opts)
  opts = opts or {}
  M.options = opts
  vim.filetype.add({ extension = { nmk = 'newsmark' } })
  local cfg = M.config(opts)

  if has_enable() and not opts.use_lsp_start then
    M.mode = 'enable'
    local c = vim.deepcopy(cfg)
    c.name = nil
    vim.lsp.config(M.name, c)
    vim.lsp.enable(M.name)
    return
  end

  if not vim.lsp.start then
    vim.notify('newsmark: Neovim 0.9 or later is needed for the language server', vim.log.levels.ERROR)
    return
  end
  M.mode = 'start'
  local group = vim.api.nvim_create_augroup('newsmark_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'newsmark',
    callback = function(args)
      M.start(args.buf, cfg)
    end,
  })
  -- Buffers that were already open before setup().
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'newsmark' then
      M.start(buf, cfg)
    end
  end
end

return M
