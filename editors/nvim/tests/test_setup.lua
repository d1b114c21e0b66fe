-- require('newsmark').setup(): NEWSMARK_SETUP_MODE=enable uses vim.lsp.enable (0.11 default),
-- NEWSMARK_SETUP_MODE=start forces the vim.lsp.start() FileType path used on Neovim 0.9/0.10.
-- Checks that cmd and settings reach the client and the server (init_options + settings).
local dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
package.path = dir .. '/?.lua;' .. package.path
local H = require('helpers')
local mode = H.env('NEWSMARK_SETUP_MODE', 'enable')

H.run('nvim setup() via ' .. mode, function()
  local bin = H.env('NEWSMARK_BIN')
  local newsmark, buf, client
  local settings = { severity = { ['undefined-entity'] = 'warning' }, attribution = { ['min-quote-words'] = 3 } }

  H.step('setup() registers the client (' .. mode .. ')', function()
    H.editor()
    newsmark = require('newsmark')
    newsmark.setup({ cmd = { bin, 'lsp' }, settings = settings, use_lsp_start = mode == 'start' })
    assert(newsmark.mode == mode, ('setup() took the %s path, expected %s'):format(tostring(newsmark.mode), mode))
  end)

  local ws, path = H.workspace(H.BROKEN)
  H.step('opening an .nmk file starts the server', function()
    vim.cmd.edit(vim.fn.fnameescape(path))
    buf = vim.api.nvim_get_current_buf()
    assert(vim.bo[buf].filetype == 'newsmark', 'filetype: ' .. vim.bo[buf].filetype)
    H.wait(10000, function()
      client = H.client(buf)
      return client and client.initialized
    end, 'the newsmark client did not attach within 10 s; see ' .. vim.lsp.get_log_path())
    assert(client.root_dir == ws, ('root_dir %s, expected %s'):format(tostring(client.root_dir), ws))
    assert(client.config.cmd[1] == bin, 'cmd: ' .. vim.inspect(client.config.cmd))
  end)

  H.step('settings reach the client as init_options and settings.newsmark', function()
    assert(vim.deep_equal(client.config.init_options, settings), 'init_options: ' .. vim.inspect(client.config.init_options))
    assert(vim.deep_equal(client.config.settings.newsmark, settings), 'settings: ' .. vim.inspect(client.config.settings))
  end)

  local undef_line = H.find_line(buf, '@undefined_person')
  H.step('the server applies them: undefined-entity comes as a warning', function()
    H.wait(15000, function()
      for _, d in ipairs(vim.diagnostic.get(buf, { lnum = undef_line })) do
        if d.code == 'undefined-entity' and d.severity == vim.diagnostic.severity.WARN then
          return true
        end
      end
    end, function()
      return ('no undefined-entity WARNING on line %d (severity setting not applied?); got:\n      %s'):format(undef_line + 1, H.diag_summary(buf))
    end)
  end)

  H.step('a second article reuses the same client', function()
    local second = ws .. '/second.nmk'
    vim.fn.writefile({ 'A second note on [Lavrov]{@lavrov}.', '', '@lavrov: person "Sergey Lavrov"' }, second)
    vim.cmd.edit(vim.fn.fnameescape(second))
    local b2 = vim.api.nvim_get_current_buf()
    H.wait(10000, function()
      return H.client(b2) ~= nil
    end, 'no client on the second buffer')
    assert(H.client(b2).id == client.id, 'a second client was started for the same workspace')
    assert(#vim.lsp.get_clients({ name = 'newsmark' }) == 1, 'more than one newsmark client')
  end)

  H.step(':checkhealth newsmark reports the setup and no error', function()
    vim.cmd('checkhealth newsmark')
    local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    assert(report:find('via vim%.lsp%.' .. mode), 'health report does not name the setup path:\n' .. report)
    assert(report:find('OK[^\n]*attached to buffer'), 'not attached per health report:\n' .. report)
    assert(not report:find('ERROR'), 'the health report has errors:\n' .. report)
  end)
end)
