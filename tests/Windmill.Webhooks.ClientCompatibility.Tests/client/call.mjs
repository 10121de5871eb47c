// Calls one function of Windmill's official client (windmill-client) and prints the outcome as one JSON line.
// Usage: node call.mjs '<request JSON>' where the request is
//   {"base": "http://127.0.0.1:PORT", "token": "...", "workspace": "demo", "fn": "waitJob" | "JobService.getJob", "args": [...]}
// Output: {"ok":true,"value":...} | {"ok":true,"undefined":true} | {"ok":false,"status":N,"body":...,"message":"..."}
import * as wmill from "windmill-client";

const request = JSON.parse(process.argv[2]);
process.env.WM_WORKSPACE = request.workspace;
wmill.setClient(request.token, request.base);

function resolve(name) {
  const [owner, member] = name.includes(".") ? name.split(".") : [null, name];
  // Some helpers (getResult, getResultMaybe) are only on the package's default export.
  const target = owner ? wmill[owner] : typeof wmill[member] === "function" ? wmill : wmill.default;
  if (!target || typeof target[member] !== "function") {
    throw new Error(`windmill-client has no function ${name}`);
  }
  return target[member].bind(target);
}

async function describe(value) {
  if (value === undefined) return { ok: true, undefined: true };
  if (value instanceof Blob) {
    return { ok: true, blob: Buffer.from(await value.arrayBuffer()).toString("base64"), type: value.type };
  }
  return { ok: true, value };
}

try {
  const value = await resolve(request.fn)(...request.args);
  console.log(JSON.stringify(await describe(value)));
} catch (error) {
  console.log(JSON.stringify({ ok: false, status: error.status ?? null, body: error.body ?? null, message: String(error.message ?? error) }));
}
