-- POST /v7/users with a new email on every request, for wrk:
--   wrk -s bench/post_user.lua URL -- TOKEN PREFIX BODY
-- BODY is a JSON template whose "%s" marks become the user's number (name) and email local part.
local counter = 0
local threads = 0
local token, prefix, body

function setup(thread)
  -- Each thread's emails get its own number, so no two threads ever send the same address.
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  token, prefix, body = args[1], args[2], args[3]
end

function request()
  counter = counter + 1
  local local_part = string.format("%s-%d-%d", prefix, thread_id or 1, counter)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }
  return wrk.format("POST", nil, headers, string.format(body, local_part, local_part))
end
