-- *.nmk files are newsmark (annotated news articles).
vim.filetype.add({ extension = { nmk = 'newsmark' } })
