-- Drives Neovim's built-in LSP client against `worker-lint server`, headless, set up by the README's
-- snippet (WL_SNIPPET). Opens WL_FILE, waits for the diagnostics, runs the editor's own code-action path (the menu answered
-- by choosing WL_ACTION), hovers on the WL102 diagnostic, and writes what it saw to WL_OUT, one fact a line.
local out = {}
local function say(line) table.insert(out, line) end
local function finish(code)
  local f = io.open(vim.env.WL_OUT, "w")
  f:write(table.concat(out, "\n") .. "\n")
  f:close()
  vim.cmd((code == 0 and "qall!" or "cquit! " .. code))
end
local function fail(message) say("FAIL " .. message); finish(1) end

local ok, err = pcall(function()
  -- the README's setup, verbatim: it starts the client when a YAML buffer opens
  vim.cmd("filetype on")
  dofile(vim.env.WL_SNIPPET)
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.WL_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  -- Neovim 0.7 lists a buffer's client once the server has answered `initialize`
  vim.wait(30000, function() return next(vim.lsp.buf_get_clients(bufnr)) ~= nil end, 20)
  local clients = vim.lsp.buf_get_clients(bufnr)
  local id = next(clients)
  if not id or clients[id].name ~= "worker-lint" then return fail("the client did not start") end
  if not vim.wait(30000, function() return #vim.diagnostic.get(bufnr) >= 3 end, 20) then
    return fail("no diagnostics within 30 s")
  end
  local diagnostics = vim.diagnostic.get(bufnr)
  table.sort(diagnostics, function(a, b) return a.lnum < b.lnum end)
  for _, d in ipairs(diagnostics) do
    say(string.format("diagnostic %s %d:%d-%d:%d %s", d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.message))
  end
  local target
  for _, d in ipairs(diagnostics) do if d.code == "WL102" then target = d end end
  if not target then return fail("no WL102") end

  -- hover through the editor's own request, the handler captured instead of drawn in a float
  local hovered
  vim.lsp.handlers["textDocument/hover"] = function(_, result) hovered = result or false end
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col + 2 })
  vim.lsp.buf.hover()
  if not vim.wait(10000, function() return hovered ~= nil end, 20) or not hovered then
    return fail("no hover")
  end
  local value = hovered.contents.value or ""
  say("hover " .. (value:match("^[^\n]*") or ""))
  say("hover-has-page " .. tostring(value:find("## What it does", 1, true) ~= nil))

  -- the code-action menu, answered as a user would
  local chosen
  vim.ui.select = function(items, opts, on_choice)
    for _, item in ipairs(items) do
      say("action " .. opts.format_item(item))
      -- Neovim 0.7 to 0.9 offer {client_id, action}; later versions {action = ..., ctx = ...}
      local action = item.action or item[2]
      if action.title == vim.env.WL_ACTION then chosen = item end
    end
    on_choice(chosen)
  end
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  vim.lsp.buf.code_action()
  if not vim.wait(10000, function() return chosen ~= nil end, 20) then return fail("action not offered") end
  vim.wait(200)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do say(string.format("line %d %s", i, line)) end
  -- the edit is a change like any other: the diagnostic goes away
  if not vim.wait(10000, function() return #vim.diagnostic.get(bufnr) == 2 end, 20) then
    return fail("the suppressed diagnostic stayed")
  end
  say("after " .. #vim.diagnostic.get(bufnr))
  vim.lsp.stop_client(id)
  finish(0)
end)
if not ok then fail(tostring(err)) end
