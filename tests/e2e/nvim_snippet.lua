-- Runs the Neovim 0.7 configuration snippet of docs/editors.md as a user's init.lua would,
-- then opens files of the project and records which buffers the snippet attached and what
-- diagnostics arrived.  Started by tests/e2e/test_neovim.py with
--   TRAINPATH_E2E_SNIPPET  the snippet, extracted from docs/editors.md
--   TRAINPATH_E2E_ROOT     the project (a copy of examples/trm_project with a .git folder)
--   TRAINPATH_E2E_OUT      where to write the observations as JSON
-- The snippet's `cmd = { 'trainpath', 'serve' }` finds a `trainpath` shim that the test puts on PATH.

local TIMEOUT = 15000

local root = (assert(os.getenv('TRAINPATH_E2E_ROOT'), 'TRAINPATH_E2E_ROOT unset'))
local out_file = (assert(os.getenv('TRAINPATH_E2E_OUT'), 'TRAINPATH_E2E_OUT unset'))
local snippet = (assert(os.getenv('TRAINPATH_E2E_SNIPPET'), 'TRAINPATH_E2E_SNIPPET unset'))

local out = { errors = {}, buffers = {} }
vim.o.hidden = true

local function step(name, fn)
  local ok, err = pcall(fn)
  if not ok then
    out.errors[name] = tostring(err)
  end
end

local function find(buf, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code and d.lnum == lnum then
      return d
    end
  end
  return nil
end

local function client_names(buf)
  local names = {}
  for _, client in pairs(vim.lsp.buf_get_clients(buf)) do
    table.insert(names, client.name)
  end
  table.sort(names)
  return names
end

-- Open `relpath`; wait for the diagnostic `code` (if given) on 0-based line `lnum` and record it.
local function visit(relpath, code, lnum)
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. relpath))
  local buf = vim.api.nvim_get_current_buf()
  local seen = { filetype = vim.bo[buf].filetype }
  out.buffers[relpath] = seen
  local found = nil
  if code ~= nil then
    vim.wait(TIMEOUT, function()
      found = find(buf, code, lnum)
      return found ~= nil
    end, 20)
  end
  seen.clients = client_names(buf)
  if found ~= nil then
    seen.diagnostic = { lnum = found.lnum, col = found.col, code = found.code, severity = found.severity }
  end
end

step('snippet', function() dofile(snippet) end)
step('yaml', function() visit('config/cfg_pitfall_missing_arch.yaml', 'missing-default', 3) end)
step('init_options', function() visit('config/arch/etrm_noexplore.yaml', 'missing-act-param', 1) end)
step('jobs', function() visit('jobs-pitfalls.txt', 'missing-script', 9) end)
step('python', function() visit('pretrain_etrm.py') end)

-- The snippet's user commands open the server's answer in a scratch split.
local function show(relpath, row, command)
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. relpath))
  vim.api.nvim_win_set_cursor(0, { row, 0 })
  local before = vim.api.nvim_get_current_buf()
  vim.cmd(command)
  local buf = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  out[command] = { new_buffer = buf ~= before, filetype = vim.bo[buf].filetype, buftype = vim.bo[buf].buftype,
                   lines = lines, windows = #vim.api.nvim_list_wins() }
  vim.cmd('close')
end
step('chain', function() show('jobs-pitfalls.txt', 4, 'TrainpathChain') end)
step('composed', function() show('config/cfg_pretrain_etrm_arc_agi_1.yaml', 1, 'TrainpathComposed') end)

step('clients', function()
  local clients = {}
  for _, client in pairs(vim.lsp.get_active_clients()) do
    table.insert(clients, { name = client.name, root_dir = client.config.root_dir })
  end
  out.clients = clients
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
    vim.wait(TIMEOUT, function() return client.is_stopped() end, 20)
  end
end)

vim.fn.writefile({ vim.json.encode(out) }, out_file)
vim.cmd('qa!')
