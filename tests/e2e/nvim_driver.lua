-- Headless Neovim (0.7+) driving `trainpath serve` the way a user's editor does.
--
-- Started by tests/e2e/test_neovim.py as
--   nvim --headless --clean -n -u NONE -c 'luafile nvim_driver.lua'
-- with the environment variables
--   TRAINPATH_E2E_ROOT  the project (a private copy of examples/trm_project)
--   TRAINPATH_E2E_CMD   the server command as a JSON list
--   TRAINPATH_E2E_OUT   where to write the observations as JSON
-- Every step records what the editor saw (diagnostics, the buffer a jump opened, the
-- cursor, the hover window's text) in `out`; a step that fails records its error and the
-- next one still runs. Python asserts on the JSON. Neovim always quits, even on errors.

local TIMEOUT = 15000 -- ms; generous, the steps normally take well under a second each

local root = assert(os.getenv('TRAINPATH_E2E_ROOT'), 'TRAINPATH_E2E_ROOT unset')
local out_file = assert(os.getenv('TRAINPATH_E2E_OUT'), 'TRAINPATH_E2E_OUT unset')
local cmd = vim.json.decode((assert(os.getenv('TRAINPATH_E2E_CMD'), 'TRAINPATH_E2E_CMD unset')))

local out = { nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch,
              root = root, errors = {}, log = {} }

vim.o.hidden = true
vim.o.swapfile = false

local function write_out()
  vim.fn.writefile({ vim.json.encode(out) }, out_file)
end

local function step(name, fn)
  local ok, err = pcall(fn)
  if not ok then
    out.errors[name] = tostring(err)
  end
end

local function diags(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
                         severity = d.severity, code = d.code, message = d.message, source = d.source })
  end
  table.sort(list, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    return a.col < b.col
  end)
  return list
end

local function has_code(buf, code, lnum)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then
      return true
    end
  end
  return false
end

local function rel(name)
  local prefix = root .. '/'
  if name:sub(1, #prefix) == prefix then
    return name:sub(#prefix + 1)
  end
  return name
end

local client_id = nil
step('start_client', function()
  client_id = vim.lsp.start_client({
    name = 'trainpath',
    cmd = cmd,
    root_dir = root,
    handlers = {
      ['window/logMessage'] = function(_, result)
        table.insert(out.log, result.message)
      end,
    },
  })
end)

local function open(relpath)
  vim.cmd('edit ' .. vim.fn.fnameescape(root .. '/' .. relpath))
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, client_id)
  return buf
end

local function position(buf, line, character)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
end

local function request(buf, method, params)
  local client = vim.lsp.get_client_by_id(client_id)
  if client == nil or not client.supports_method(method) then
    error(method .. ': the server does not offer it (no capability)')
  end
  local responses, reason = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if responses == nil then
    error(method .. ': no response (' .. tostring(reason) .. ')')
  end
  local response = responses[client_id]
  if response == nil then
    error(method .. ': the trainpath client did not answer')
  end
  if response.err ~= nil then
    error(method .. ': ' .. vim.inspect(response.err))
  end
  return response.result
end

-- 1. The server initialises and pushes diagnostics for a broken `defaults` entry.
step('initialize', function()
  assert(client_id, 'vim.lsp.start_client returned nil')
  assert(vim.wait(TIMEOUT, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end, 20), 'the server did not initialize')
end)

local broken = nil
step('diagnostics', function()
  broken = open('config/cfg_pitfall_missing_arch.yaml')
  assert(vim.wait(TIMEOUT, function() return has_code(broken, 'missing-default') end, 20),
    'no missing-default diagnostic arrived')
  out.diagnostics = diags(broken)
end)

-- 2. Go to definition on `arch: etrm` in the main config opens the arch config.
local main_cfg = nil
step('definition_arch', function()
  main_cfg = open('config/cfg_pretrain_etrm_arc_agi_1.yaml')
  out.definition_arch_result = request(main_cfg, 'textDocument/definition', position(main_cfg, 3, 11))
  vim.api.nvim_win_set_cursor(0, { 4, 11 }) -- row 1-based, col 0-based: on `etrm`
  vim.lsp.buf.definition()
  assert(vim.wait(TIMEOUT, function() return vim.api.nvim_get_current_buf() ~= main_cfg end, 20),
    'definition did not open another buffer')
  out.definition_arch = { file = rel(vim.api.nvim_buf_get_name(0)), cursor = vim.api.nvim_win_get_cursor(0) }
end)

-- 3. Go to definition on `name: recursive_reasoning.etrm@TRMWithEncoder` lands on the class.
step('definition_class', function()
  local arch = open('config/arch/etrm.yaml')
  out.definition_class_result = request(arch, 'textDocument/definition', position(arch, 0, 35))
  vim.api.nvim_win_set_cursor(0, { 1, 35 }) -- on `TRMWithEncoder`
  vim.lsp.buf.definition()
  assert(vim.wait(TIMEOUT, function() return vim.api.nvim_get_current_buf() ~= arch end, 20),
    'definition did not open another buffer')
  local cursor = vim.api.nvim_win_get_cursor(0)
  out.definition_class = { file = rel(vim.api.nvim_buf_get_name(0)), cursor = cursor,
                           line_text = vim.api.nvim_buf_get_lines(0, cursor[1] - 1, cursor[1], false)[1] }
end)

-- 4. Hover on `halt_max_steps` in the arch config: the raw answer and the floating window's text.
step('hover', function()
  local arch = open('config/arch/etrm.yaml')
  out.hover_result = request(arch, 'textDocument/hover', position(arch, 11, 3))
  vim.api.nvim_win_set_cursor(0, { 12, 3 })
  vim.lsp.buf.hover()
  local float = nil
  assert(vim.wait(TIMEOUT, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= '' then
        float = win
        return true
      end
    end
    return false
  end, 20), 'no hover window opened')
  out.hover_window = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  vim.api.nvim_win_close(float, true)
end)

-- 5. Editing `arch:` to a missing option (didChange) raises a diagnostic; editing it back clears it.
step('edit', function()
  local buf = main_cfg or open('config/cfg_pretrain_etrm_arc_agi_1.yaml')
  vim.api.nvim_set_current_buf(buf)
  out.edit_before = diags(buf)
  vim.api.nvim_buf_set_lines(buf, 3, 4, false, { '  - arch: etrm_nope' })
  assert(vim.wait(TIMEOUT, function() return has_code(buf, 'missing-default', 3) end, 20),
    'no diagnostic after the edit')
  out.edit_broken = diags(buf)
  vim.api.nvim_buf_set_lines(buf, 3, 4, false, { '  - arch: etrm' })
  assert(vim.wait(TIMEOUT, function() return #vim.diagnostic.get(buf) == 0 end, 20),
    'the diagnostic did not clear after the edit back')
  out.edit_fixed = diags(buf)
end)

-- Shut the server down cleanly so that no process outlives the editor.
step('shutdown', function()
  local client = vim.lsp.get_client_by_id(client_id)
  if client ~= nil then
    client.stop()
    out.stopped = vim.wait(TIMEOUT, function() return client.is_stopped() end, 20)
  end
end)

write_out()
vim.cmd('qa!')
