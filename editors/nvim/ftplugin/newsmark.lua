if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = '%% %s'
vim.bo.comments = ':%%'
-- Entity IDs are words too (`@mfa-ru`, `@declaration-1956`), so that `*` and completion see them whole.
vim.opt_local.iskeyword:append('-')

vim.b.undo_ftplugin = (vim.b.undo_ftplugin or '') .. '\n setlocal commentstring< comments< iskeyword<'
