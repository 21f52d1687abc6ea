// The wall console. Everything goes through the control API with the token in the Authorization header;
// the wall pushes what changes on one server-sent event stream read with fetch (EventSource cannot send a
// header, and the token never goes in a URL). Text from people is always set as text, never as HTML.
"use strict";

const KEY = "wallapp-console-token";
const RETRY_MS = 3000;
const $ = (id) => document.getElementById(id);

let token = sessionStorage.getItem(KEY);
let role = null;
let stream = null; // the AbortController of the event stream
let status = null;
let statusAt = 0; // when the status came (its time left counts down from there)
let picture = { wanted: 0, shown: -1, busy: false, url: null };
const thumbs = new Map(); // layout name -> object URL

class Refused extends Error {}

async function call(method, path, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let answer;
  try {
    answer = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (error) {
    throw new Error("the wall does not answer (is it running, is the address right?)");
  }
  if (answer.status === 401) throw new Refused("the wall does not accept this token");
  if (!answer.ok) {
    let reason = `HTTP ${answer.status}`;
    try { reason = (await answer.json()).error || reason; } catch (_) { /* not JSON */ }
    throw new Error(reason);
  }
  return answer;
}

// Signing in and out.

async function signIn(given) {
  token = given;
  try {
    await call("GET", "/status");
  } catch (error) {
    token = null;
    showSignIn(error instanceof Refused ? "Wrong token: the wall does not accept it." : `Cannot sign in: ${error.message}`);
    return;
  }
  sessionStorage.setItem(KEY, given);
  $("signin").hidden = true;
  $("console").hidden = false;
  $("signout").hidden = false;
  loadLayouts();
  loadLog();
  loadPosts();
  listen();
}

function showSignIn(error) {
  if (stream) stream.abort();
  stream = null;
  token = null;
  sessionStorage.removeItem(KEY);
  $("console").hidden = true;
  $("signout").hidden = true;
  $("role").hidden = true;
  $("role").textContent = "";
  role = null;
  status = null;
  posts.shown = "";
  $("signin").hidden = false;
  setLink("off", "signed out");
  const line = $("signin-error");
  line.textContent = error || "";
  line.hidden = !error;
  $("token").value = "";
  $("token").focus();
}

function setLink(state, words) {
  $("link").dataset.state = state;
  $("link").textContent = words;
}

// The event stream: server-sent events over fetch.

async function listen() {
  if (stream) stream.abort();
  const mine = new AbortController();
  stream = mine;
  try {
    const answer = await fetch("/events", { headers: { Authorization: `Bearer ${token}` }, signal: mine.signal, cache: "no-store" });
    if (answer.status === 401) { showSignIn("The wall no longer accepts this token."); return; }
    if (!answer.ok || !answer.body) throw new Error(`HTTP ${answer.status}`);
    setLink("live", "live");
    const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch (error) {
    if (mine.signal.aborted) return;
  }
  if (stream !== mine) return;
  setLink("retry", "reconnecting…");
  setTimeout(() => { if (stream === mine && token) listen(); }, RETRY_MS);
}

function dispatch(block) {
  let kind = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) kind = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (!data.length) return; // a keep-alive comment
  const payload = JSON.parse(data.join("\n"));
  if (kind === "hello") setRole(payload.role);
  else if (kind === "status") showStatus(payload);
  else if (kind === "picture") { picture.wanted = payload.version; fetchPicture(); loadPosts(); }
  else if (kind === "posts") loadPosts();
  else if (kind === "audit") addAudit(payload, true);
}

function setRole(given) {
  role = given;
  const badge = $("role");
  badge.hidden = false;
  badge.dataset.role = given;
  badge.textContent = given === "operator" ? "operator" : "watch only";
  for (const button of document.querySelectorAll(".steers")) button.disabled = given !== "operator";
  for (const button of document.querySelectorAll(".thumb, .post button, .post-source input, .blocked-list button")) {
    button.disabled = given !== "operator";
  }
}

// Now showing.

async function fetchPicture() {
  if (picture.busy || picture.shown === picture.wanted) return;
  picture.busy = true;
  const version = picture.wanted;
  try {
    const img = $("picture");
    const width = Math.max(320, Math.min(1280, Math.round((img.clientWidth || 960) * (window.devicePixelRatio || 1) / 160) * 160));
    const answer = await call("GET", `/picture?width=${width}`);
    const url = URL.createObjectURL(await answer.blob());
    await new Promise((done) => { img.onload = done; img.onerror = done; img.src = url; });
    if (picture.url) URL.revokeObjectURL(picture.url);
    picture.url = url;
    picture.shown = version;
    img.dataset.version = String(version);
  } catch (error) {
    if (error instanceof Refused) { showSignIn("The wall no longer accepts this token."); return; }
  } finally {
    picture.busy = false;
  }
  if (picture.shown !== picture.wanted) fetchPicture();
}

function showStatus(given) {
  status = given;
  statusAt = performance.now();
  const scene = given.scene;
  $("now-layout").textContent = `${given.title} (${given.layout})`;
  $("now-show").textContent = given.show && scene
    ? `${given.show}: scene ${scene.number} of ${scene.of}${scene.title ? ` (${scene.title})` : ""}${scene.held ? ", held" : ""}${scene.ended ? ", ended" : ""}`
    : "none";
  const alert = given.alert;
  $("now-alert").textContent = alert ? `${alert.level}: ${alert.text}${alert.until ? ` (until ${clock(alert.until)})` : ""}` : "none";
  const screens = given.screens;
  $("now-screens").textContent = (screens.preview ? `preview window (${screens.reason})` : `${screens.windows} windows`)
    + (screens.undrawn.length ? `; NOT DRAWN: ${screens.undrawn.join(", ")}` : "");
  $("now-blank").hidden = !given.blank;
  $("blank").setAttribute("aria-pressed", String(given.blank));
  $("blank").textContent = given.blank ? "Unblank" : "Blank";
  const held = Boolean(scene && scene.held);
  $("hold").dataset.action = held ? "resume" : "hold";
  $("hold").textContent = held ? "Resume" : "Hold";
  $("hold").setAttribute("aria-pressed", String(held));
  for (const button of document.querySelectorAll(".thumb")) {
    button.setAttribute("aria-current", String(!given.show && button.dataset.layout === given.layout));
  }
  showSources(given.sources);
  showNodes(given.node);
  tick();
}

const SILENT_S = 15; // three reports missed: a node that says nothing is not well

function nodeHealth(node) {
  if (!node.online) return ["down", "offline"];
  if (node.undrawn && node.undrawn.length) return ["down", `not drawn: ${node.undrawn.join(", ")}`];
  if (node.preview) return ["warn", "preview window (screens missing)"];
  if (node.reported_s_ago === null || node.reported_s_ago === undefined) return ["warn", "no report yet"];
  if (node.reported_s_ago > SILENT_S) return ["warn", `silent for ${duration(node.reported_s_ago)}`];
  return ["ok", "ok"];
}

function showNodes(node) {
  // A wall of several PCs: every node, as the broker tells this one (nothing on a single PC).
  $("nodes-card").hidden = !node;
  if (!node) return;
  const rows = node.wall.map((each) => {
    const row = document.createElement("tr");
    row.dataset.node = each.node;
    const [health, words] = nodeHealth(each);
    const offset = each.offset_ms === undefined || each.offset_ms === null ? "–"
      : `${each.offset_ms >= 0 ? "+" : ""}${each.offset_ms.toFixed(1)} ms`
        + (each.delay_ms !== null && each.delay_ms !== undefined ? ` (round trip ${each.delay_ms.toFixed(1)} ms)` : "");
    const cells = [
      `${each.node}${each.node === node.name ? " (this one)" : ""}`,
      (each.screens || []).join("  "),
      each.leader ? "leader" : each.role || "–",
      words,
      offset,
      each.showing || "–",
    ].map((text) => {
      const cell = document.createElement("td");
      cell.textContent = text;
      return cell;
    });
    cells[2].dataset.leader = String(Boolean(each.leader));
    cells[3].className = "health";
    cells[3].dataset.health = health;
    row.append(...cells);
    return row;
  });
  $("nodes").replaceChildren(...rows);
  const up = node.wall.filter((each) => each.online).length;
  $("nodes-summary").textContent = `${up} of ${node.wall.length} PCs online; leader: ${node.leader || "none (electing)"}`
    + `; this console talks to ${node.name}${node.connected ? "" : ` (cut off from the broker: ${node.error || "connecting"})`}.`;
}

function reached(answer) {
  // On a wall of several PCs, which nodes applied the change.
  if (!answer || !answer.nodes) return "";
  const entries = Object.entries(answer.nodes);
  const applied = entries.filter(([, did]) => did === "applied").map(([name]) => name);
  const other = entries.filter(([, did]) => did !== "applied").map(([name, did]) => `${name}: ${did}`);
  return ` (applied on ${applied.join(", ") || "no node"}${other.length ? `; ${other.join("; ")}` : ""})`;
}

function tick() {
  if (!status) return;
  const left = status.time_left_s;
  const scene = status.scene;
  $("now-left").textContent = left === null || left === undefined
    ? (scene ? (scene.held ? "held" : scene.ended ? "ended" : "until next") : "–")
    : duration(Math.max(0, left - (performance.now() - statusAt) / 1000));
}

function showSources(sources) {
  const list = $("sources");
  const items = [];
  for (const [name, source] of Object.entries(sources)) {
    const item = document.createElement("li");
    item.dataset.source = name;
    const title = document.createElement("span");
    title.className = "source-name";
    title.textContent = name;
    const state = document.createElement("span");
    state.className = "state";
    state.dataset.state = source.state;
    state.textContent = source.state;
    const detail = document.createElement("span");
    detail.className = "source-detail";
    const parts = [];
    if (source.age_s !== null) parts.push(`data ${duration(source.age_s)} old`);
    if (source.failures) parts.push(`${source.failures} failure(s)`);
    if (source.last_error) parts.push(`last error: ${source.last_error}`);
    detail.textContent = parts.join(" · ");
    item.append(title, state, detail);
    items.push(item);
  }
  if (!items.length) {
    const none = document.createElement("li");
    none.textContent = "This layout has no sources.";
    items.push(none);
  }
  list.replaceChildren(...items);
}

// Steering.

async function act(method, path, body, done, where = "message") {
  const message = $(where);
  try {
    const answer = await (await call(method, path, body)).json();
    message.dataset.kind = "ok";
    message.textContent = done(answer) + reached(answer);
  } catch (error) {
    if (error instanceof Refused) { showSignIn("The wall no longer accepts this token."); return; }
    message.dataset.kind = "error";
    message.textContent = error.message;
  }
}

// Moderation.

let posts = { busy: false, again: false, shown: "" };

async function loadPosts() {
  if (posts.busy) { posts.again = true; return; }
  posts.busy = true;
  try {
    const text = await (await call("GET", "/posts?count=12")).text();
    if (text !== posts.shown) { posts.shown = text; showPosts(JSON.parse(text)); }
  } catch (error) {
    if (error instanceof Refused) { showSignIn("The wall no longer accepts this token."); return; }
  } finally {
    posts.busy = false;
  }
  if (posts.again) { posts.again = false; loadPosts(); }
}

function moderate(method, path, body, done) {
  // Whatever the answer (a post gone: 404), the list is read again.
  act(method, path, body, done, "post-message").then(loadPosts);
}

function button(words, handler, quiet, does) {
  const made = document.createElement("button");
  made.type = "button";
  if (does) made.dataset.do = does;
  made.textContent = words;
  if (quiet) made.className = "quiet";
  made.disabled = role !== "operator";
  made.addEventListener("click", handler);
  return made;
}

const VERDICTS = { shown: "allowed", hidden: "hidden", blocked: "blocked", waiting: "waits for approval" };

function showPosts(answer) {
  const sources = answer.sources.map((source) => {
    const box = document.createElement("div");
    box.className = "post-source";
    box.dataset.source = source.name;
    const title = document.createElement("h3");
    const name = document.createElement("span");
    name.textContent = source.name;
    const toggle = document.createElement("label");
    const check = document.createElement("input");
    check.type = "checkbox";
    check.checked = source.approval;
    check.disabled = role !== "operator";
    check.addEventListener("change", () => moderate("POST", "/approval", { source: source.name, on: check.checked },
      (done) => `Approval mode ${done.approval ? "on" : "off"} for ${done.source}`));
    toggle.append(check, document.createTextNode("approval mode"));
    title.append(name, toggle);
    const list = document.createElement("ul");
    list.className = "post-list";
    for (const post of source.posts) list.append(postItem(source.name, post));
    if (!source.posts.length) {
      const none = document.createElement("li");
      none.textContent = "No posts yet.";
      list.append(none);
    }
    box.append(title, list);
    return box;
  });
  if (!sources.length) {
    const none = document.createElement("p");
    none.textContent = "The layout shown has no post source.";
    sources.push(none);
  }
  const message = document.createElement("p");
  message.id = "post-message";
  message.className = "message";
  message.setAttribute("role", "status");
  const old = $("post-message");
  if (old) { message.textContent = old.textContent; message.dataset.kind = old.dataset.kind || ""; }
  $("post-sources").replaceChildren(message, ...sources);
  const blocked = [
    ...answer.blocked_authors.map((author) => ["author", author]),
    ...answer.blocked_terms.map((term) => ["term", term]),
  ].map(([kind, value]) => {
    const item = document.createElement("li");
    item.dataset.kind = kind;
    const words = document.createElement("span");
    words.textContent = `${kind} ${value}`;
    item.append(words, button("Unblock", () => moderate("DELETE", "/block", { [kind]: value }, () => `Unblocked ${kind} ${value}`), true));
    return item;
  });
  $("blocked").replaceChildren(...blocked);
}

function postItem(source, post) {
  const item = document.createElement("li");
  item.className = "post";
  item.dataset.id = post.id;
  item.dataset.verdict = post.verdict;
  item.dataset.pinned = String(post.pinned);
  const head = document.createElement("div");
  const author = document.createElement("span");
  author.className = "post-author";
  author.textContent = post.author || post.handle || "unknown";
  const handle = document.createElement("span");
  handle.className = "post-handle";
  handle.textContent = post.handle ? `@${post.handle}` : "";
  const verdict = document.createElement("span");
  verdict.className = "verdict";
  verdict.dataset.verdict = post.verdict;
  verdict.textContent = post.pinned ? "pinned" : VERDICTS[post.verdict] || post.verdict;
  head.append(author, handle, verdict);
  const text = document.createElement("div");
  text.className = "post-text";
  text.textContent = post.text;
  const actions = document.createElement("div");
  actions.className = "post-actions";
  const about = { source, id: post.id };
  if (post.verdict === "waiting") {
    actions.append(button("Approve", () => moderate("POST", "/posts/approve", about, () => "Approved"), false, "approve"));
  }
  if (post.verdict !== "hidden") {
    actions.append(button("Hide", () => moderate("POST", "/posts/hide", about, () => "Hidden: it left the wall"), false, "hide"));
  }
  if (post.handle) {
    actions.append(button("Block author", () => moderate("POST", "/block", { author: `@${post.handle}` }, () => `Blocked @${post.handle}`), true, "block"));
  }
  actions.append(post.pinned
    ? button("Unpin", () => moderate("DELETE", "/posts/pin", undefined, () => "Unpinned"), true, "unpin")
    : button("Pin to spotlight", () => moderate("POST", "/posts/pin", about, () => "Pinned to the spotlight"), true, "pin"));
  item.append(head, text, actions);
  return item;
}

const ACTIONS = {
  previous: () => act("POST", "/previous", undefined, () => "Previous scene"),
  next: () => act("POST", "/next", undefined, () => "Next scene"),
  hold: () => act("POST", "/hold", undefined, () => "Held"),
  resume: () => act("POST", "/resume", undefined, () => "Resumed"),
  blank: () => act("POST", "/blank", {}, (answer) => (answer.blank ? "The wall is black" : "The wall shows again")),
  reload: () => act("POST", "/reload", undefined, () => "Reloaded from disk"),
};

async function loadLayouts() {
  let known;
  try {
    known = await (await call("GET", "/layouts")).json();
  } catch (error) {
    return;
  }
  const select = $("show-name");
  select.replaceChildren(...known.shows.map((name) => new Option(name, name)));
  const grid = $("layouts");
  const buttons = known.layouts.map((name) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "thumb";
    button.dataset.layout = name;
    button.disabled = role !== null && role !== "operator";
    const img = document.createElement("img");
    img.alt = "";
    const label = document.createElement("span");
    label.textContent = name;
    button.append(img, label);
    button.addEventListener("click", () => act("POST", "/layout", { layout: name }, (answer) => `Showing ${answer.layout}`));
    return button;
  });
  grid.replaceChildren(...buttons);
  if (status) showStatus(status);
  for (const button of buttons) { // one at a time: each is drawn by the wall's own loop
    const name = button.dataset.layout;
    const img = button.querySelector("img");
    try {
      if (!thumbs.has(name)) {
        const answer = await call("GET", `/layouts/${encodeURIComponent(name)}/thumbnail?width=320`);
        thumbs.set(name, URL.createObjectURL(await answer.blob()));
      }
      img.src = thumbs.get(name);
    } catch (error) {
      img.alt = "cannot be drawn";
      button.title = error.message;
    }
  }
}

async function loadLog() {
  try {
    const answer = await (await call("GET", "/log?count=30")).json();
    $("audit").replaceChildren();
    for (const entry of answer.entries) addAudit(entry, false);
  } catch (error) { /* shown when it comes */ }
}

function addAudit(entry, live) {
  const item = document.createElement("li");
  const when = document.createElement("time");
  when.dateTime = entry.at;
  when.textContent = clock(entry.at);
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = `${entry.who} `;
  const what = document.createElement("span");
  what.textContent = entry.what;
  item.append(when, who, what);
  if (entry.result !== "ok") {
    const result = document.createElement("span");
    result.className = "result";
    result.textContent = ` (${entry.result})`;
    item.append(result);
  }
  const list = $("audit");
  list.prepend(item);
  while (list.children.length > 30) list.lastChild.remove();
  if (live) loadLayoutsIfReloaded(entry);
}

function loadLayoutsIfReloaded(entry) {
  if (entry.what === "reload" && entry.result === "ok") { thumbs.clear(); loadLayouts(); }
}

function previewAlert() {
  const level = $("alert-level").value;
  $("alert-preview").dataset.level = level;
  $("alert-preview-tag").textContent = $("alert-level").selectedOptions[0].textContent;
  $("alert-preview-text").textContent = $("alert-text").value.split(/\s+/).filter(Boolean).join(" ");
}

// Small words.

function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

function clock(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
}

// Wiring.

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const given = $("token").value.trim();
    if (given) signIn(given);
  });
  $("signout").addEventListener("click", () => showSignIn(""));
  for (const button of document.querySelectorAll("[data-action]")) {
    button.addEventListener("click", () => ACTIONS[button.dataset.action]());
  }
  $("show-start").addEventListener("click", () => {
    const name = $("show-name").value;
    if (name) act("POST", "/show", { name }, (answer) => `Playing ${answer.show}`);
  });
  for (const id of ["alert-text", "alert-level"]) for (const kind of ["input", "change"]) $(id).addEventListener(kind, previewAlert);
  $("alert-raise").addEventListener("click", () => {
    const text = $("alert-text").value.trim();
    if (!text) { $("message").dataset.kind = "error"; $("message").textContent = "Type the alert's message first"; return; }
    const ttl = $("alert-ttl").value;
    act("POST", "/alert", { text, level: $("alert-level").value, ttl: ttl ? Number(ttl) : null }, () => "Alert raised");
  });
  $("alert-clear").addEventListener("click", () => act("DELETE", "/alert", undefined, () => "Alert cleared"));
  $("block-term-button").addEventListener("click", () => {
    const term = $("block-term").value.trim();
    if (term) moderate("POST", "/block", { term }, () => { $("block-term").value = ""; return `Blocked the term ${term}`; });
  });
  setInterval(tick, 1000); // the time left counts down between the wall's updates
  previewAlert();
  if (token) signIn(token);
  else showSignIn("");
});
