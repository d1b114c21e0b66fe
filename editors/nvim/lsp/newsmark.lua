-- Configuration of the newsmark language server for Neovim 0.11+ (`vim.lsp.config` / `vim.lsp.enable`).
-- With this directory on 'runtimepath', `vim.lsp.enable('newsmark')` is all that is needed; override
-- fields with `vim.lsp.config('newsmark', { cmd = { '/path/to/newsmark', 'lsp' } })`.
--
-- Server settings use the shape of newsmark.toml:
--   settings = { newsmark = { severity = { ['unattributed-quote'] = 'error' },
--                             attribution = { ['reporting-verbs'] = { 'quipped' }, ['min-quote-words'] = 4,
--                                             ['quote-style'] = 'double' } } }
-- `settings.newsmark` is pushed through workspace/didChangeConfiguration and answers
-- workspace/configuration; require('newsmark').setup() also sends it as init_options.
---@type vim.lsp.Config
return {
  cmd = { 'newsmark', 'lsp' },
  filetypes = { 'newsmark' },
  root_markers = { 'newsmark.toml', '.git' },
  settings = { newsmark = vim.empty_dict() },
}
