// The sandbox's Discord-like client. Plain DOM, no build step: every text the bot sent is put in
// text nodes (never innerHTML), so nothing a member types can become markup.
"use strict";

const $ = (sel) => document.querySelector(sel);
const el = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
};
const COLOURS = ["#5865f2", "#eb459e", "#3ba55c", "#faa61a", "#ed4245", "#9b59b6"];

const state = { me: null, channel: null, people: [], mentions: {}, views: new Map(),
  suggestions: [], selected: -1, stage: null, pending: 0 };

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, opts);
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json() : { error: await response.text() };
  return { ok: response.ok, data };
}

function avatar(name, small) {
  const node = el("div", "avatar" + (small ? " small" : ""), (name || "?").slice(0, 1).toUpperCase());
  let hash = 0;
  for (const ch of name || "") hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  node.style.background = COLOURS[hash % COLOURS.length];
  return node;
}

// --- Discord markdown, the parts giftcord uses -------------------------------------------------
const TOKENS = /(\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|`[^`]+`|<@!?\d+>|<@&\d+>|<#\d+>|<t:-?\d+(?::[tTdDfFR])?>|\[[^\]]+\]\([^)]+\))/;

function markdown(text) {
  const frag = document.createDocumentFragment();
  for (const part of (text || "").split(TOKENS)) {
    if (!part) continue;
    let m;
    if ((m = part.match(/^\*\*(.+)\*\*$/)) || (m = part.match(/^__(.+)__$/))) {
      const b = el("strong"); b.append(markdown(m[1])); frag.append(b);
    } else if ((m = part.match(/^\*(.+)\*$/))) {
      const i = el("em"); i.append(markdown(m[1])); frag.append(i);
    } else if ((m = part.match(/^`(.+)`$/))) {
      frag.append(el("code", "", m[1]));
    } else if ((m = part.match(/^<@!?(\d+)>$/))) {
      frag.append(el("span", "mention", "@" + (state.mentions.users[m[1]] || "unknown-user")));
    } else if ((m = part.match(/^<@&(\d+)>$/))) {
      frag.append(el("span", "mention", "@" + (state.mentions.roles[m[1]] || "deleted-role")));
    } else if ((m = part.match(/^<#(\d+)>$/))) {
      frag.append(el("span", "mention", "#" + (state.mentions.channels[m[1]] || "unknown")));
    } else if ((m = part.match(/^<t:(-?\d+)(?::([a-zA-Z]))?>$/))) {
      const when = new Date(Number(m[1]) * 1000);
      frag.append(el("span", "mention", m[2] === "R" ? relative(when) : when.toLocaleString()));
    } else if ((m = part.match(/^\[([^\]]+)\]\(([^)]+)\)$/))) {
      const a = el("a", "", m[1]);
      if (/^https?:/.test(m[2])) { a.href = m[2]; a.target = "_blank"; a.rel = "noopener"; }
      frag.append(a);
    } else {
      frag.append(document.createTextNode(part));
    }
  }
  return frag;
}

function relative(when) {
  const s = Math.round((when - Date.now()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, "second"] : abs < 3600 ? [Math.round(abs / 60), "minute"]
    : abs < 86400 ? [Math.round(abs / 3600), "hour"] : [Math.round(abs / 86400), "day"];
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}

// --- messages -----------------------------------------------------------------------------
function renderEmbed(e) {
  const box = el("div", "embed");
  box.dataset.testid = "embed";
  if (e.color !== undefined && e.color !== null) {
    box.style.borderLeftColor = "#" + Number(e.color).toString(16).padStart(6, "0");
  }
  if (e.author && e.author.name) {
    const author = el("div", "embed-author");
    if (e.author.icon_url && /^https?:|^\//.test(e.author.icon_url)) {
      const img = el("img"); img.src = e.author.icon_url; img.alt = "";
      img.onerror = () => img.remove(); author.append(img);
    }
    author.append(el("span", "", e.author.name));
    box.append(author);
  }
  if (e.thumbnail && e.thumbnail.url) {
    const img = el("img", "embed-thumb"); img.src = e.thumbnail.url; img.alt = ""; img.width = 80;
    img.onerror = () => img.remove(); box.append(img);
  }
  if (e.title) { const t = el("div", "embed-title"); t.append(markdown(e.title)); box.append(t); }
  if (e.description) {
    const d = el("div", "embed-desc"); d.append(markdown(e.description)); box.append(d);
  }
  if (e.fields && e.fields.length) {
    const grid = el("div", "fields");
    for (const f of e.fields) {
      const field = el("div", "field" + (f.inline ? " inline" : ""));
      const name = el("div", "field-name"); name.append(markdown(f.name));
      const value = el("div", "field-value"); value.append(markdown(f.value));
      field.append(name, value); grid.append(field);
    }
    box.append(grid);
  }
  if (e.image && e.image.url) {
    const wrap = el("div", "embed-image");
    const img = el("img"); img.src = e.image.url; img.alt = e.title || "image";
    wrap.append(img); box.append(wrap);
  }
  const foot = [e.footer && e.footer.text, e.timestamp && new Date(e.timestamp).toLocaleString()]
    .filter(Boolean).join(" • ");
  if (foot) box.append(el("div", "embed-footer", foot));
  return box;
}

function renderComponents(view) {
  const box = el("div", "components");
  for (const row of view.components || []) {
    const line = el("div", "row");
    for (const c of row.components || []) {
      if (c.type === 2) {
        const label = [c.emoji && c.emoji.name, c.label].filter(Boolean).join(" ");
        const b = el("button", `btn style-${c.style}`, label);
        b.disabled = !!c.disabled;
        if (c.style === 5 && c.url) b.onclick = () => window.open(c.url, "_blank", "noopener");
        else b.onclick = () => press(view, c.custom_id, undefined, b);
        line.append(b);
      } else if (c.type === 3) {
        const s = el("select", "select");
        s.disabled = !!c.disabled;
        s.append(el("option", "", c.placeholder || "Make a selection"));
        for (const o of c.options || []) {
          const opt = el("option", "", o.label); opt.value = o.value; s.append(opt);
        }
        s.onchange = () => press(view, c.custom_id, [s.value], s);
        line.append(s);
      }
    }
    box.append(line);
  }
  return box;
}

function renderMessage(view) {
  const wrap = el("div", "message");
  wrap.dataset.id = view.id;
  if (view.used) {
    const used = el("div", "used");
    used.append("↳ ", el("b", "", view.used.user), ` used ${view.used.command}`);
    wrap.append(used);
  }
  const msg = el("div", "msg" + (view.ephemeral ? " ephemeral" : ""));
  const author = view.author.display_name || view.author.username;
  msg.append(avatar(author));
  const body = el("div", "msg-body");
  const head = el("div", "msg-head");
  head.append(el("span", "name", author));
  if (view.author.bot) head.append(el("span", "app-tag", "APP"));
  head.append(el("span", "time", new Date(view.timestamp).toLocaleTimeString()));
  if (view.edited_timestamp) head.append(el("span", "edited", "(edited)"));
  body.append(head);
  if (view.loading) body.append(el("div", "loading", `${author} is thinking…`));
  if (view.content) { const c = el("div", "content"); c.append(markdown(view.content)); body.append(c); }
  for (const e of view.embeds || []) body.append(renderEmbed(e));
  const shown = new Set((view.embeds || []).flatMap((e) => [e.image && e.image.url, e.thumbnail && e.thumbnail.url]));
  for (const a of view.attachments || []) {
    if (shown.has(a.url)) continue;
    const box = el("div", "attachment");
    if ((a.content_type || "").startsWith("image/")) {
      const img = el("img"); img.src = a.url; img.alt = a.filename; box.append(img);
    } else {
      const link = el("a", "", a.filename); link.href = a.url; link.download = a.filename; box.append(link);
    }
    body.append(box);
  }
  if ((view.components || []).length) body.append(renderComponents(view));
  if (view.ephemeral) {
    const note = el("div", "only-you");
    note.append(el("span", "eye", "👁"), "Only you can see this");
    body.append(note);
  }
  msg.append(body);
  wrap.append(msg);
  return wrap;
}

function visible(view) {
  return view.channel_id === state.channel && !view.deleted &&
    (view.visible_to === null || view.visible_to === state.me);
}

function upsert(view) {
  const list = $("#messages");
  const old = list.querySelector(`.message[data-id="${view.id}"]`);
  if (!visible(view)) { if (old) old.remove(); return; }
  const fresh = renderMessage(view);
  if (old) { old.replaceWith(fresh); return; }  // an edit: in place, scroll untouched
  const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.querySelector(".empty")?.remove();
  list.append(fresh);
  if (stick) list.scrollTop = list.scrollHeight;
}

async function loadChannel() {
  const list = $("#messages");
  list.replaceChildren();
  const { data } = await api(`/api/sandbox/channels/${state.channel}/messages?as=${state.me}`);
  if (!data.length) list.append(el("div", "empty", "No messages yet. Type /help to see what giftcord does, or /coins buy to get demo coins."));
  for (const view of data) upsert(view);
  list.scrollTop = list.scrollHeight;
}

async function press(view, customId, values, control) {
  control.disabled = true;
  const { ok, data } = await api("/api/sandbox/click",
    { as: state.me, message: view.id, custom_id: customId, values });
  if (!ok) { showRefusal(data.error); control.disabled = false; }
}

// --- sidebar ---------------------------------------------------------------------------
function renderSidebar(channels) {
  const chans = $("#channels");
  chans.replaceChildren();
  for (const c of channels) {
    const b = el("button", c.id === state.channel ? "active" : "");
    b.dataset.channel = c.id;
    b.append(el("span", "hash", "#"), c.name);
    b.onclick = () => { state.channel = c.id; b.classList.remove("unread"); refresh(); };
    const li = el("li"); li.append(b); chans.append(li);
  }
  const people = $("#people");
  people.replaceChildren();
  for (const p of state.people) {
    const b = el("button", p.id === state.me ? "active" : "");
    b.dataset.person = p.username;
    b.append(avatar(p.name, true), p.name);
    if (p.moderator) b.append(el("span", "badge", "MOD"));
    b.onclick = () => { state.me = p.id; refresh(); };
    const li = el("li"); li.append(b); people.append(li);
  }
}

let channelList = [];
function refresh() {
  renderSidebar(channelList);
  const c = channelList.find((x) => x.id === state.channel);
  $("#channel-name").textContent = c ? c.name : "";
  const me = state.people.find((p) => p.id === state.me);
  $("#command").placeholder = `Message #${c ? c.name : ""} as ${me ? me.name : ""} — type / for commands`;
  hidePopup();
  loadChannel();
}

function markUnread(view) {
  if (view.channel_id === state.channel || view.visible_to !== null) return;
  document.querySelector(`#channels button[data-channel="${view.channel_id}"]`)?.classList.add("unread");
}

// --- the command box ------------------------------------------------------------------------
const input = $("#command");
let timer = null, asked = 0;

function hidePopup() { $("#popup").hidden = true; state.suggestions = []; state.selected = -1; }

function showRefusal(text) {
  const box = $("#refusal");
  box.textContent = text || "";
  box.hidden = !text;
}

function renderPopup(data) {
  state.suggestions = data.suggestions;
  state.stage = data.stage;
  // Highlight the first entry (Enter picks it) unless the line already is one of them: then
  // Enter sends, as Discord's client does once an option is complete.
  const typed = input.value.trim();
  const complete = data.suggestions.some((s) => s.line.trim() === typed);
  state.selected = data.suggestions.length && data.stage !== "option" && !complete ? 0 : -1;
  const hint = $("#popup-hint");
  hint.replaceChildren();
  if (data.hint) hint.append(el("b", "", data.hint.name), " — " + data.hint.detail);
  else hint.textContent = data.stage === "command" ? "Commands matching " + input.value : "Options";
  const list = $("#suggestions");
  list.replaceChildren();
  data.suggestions.forEach((s, i) => {
    const li = el("li", i === state.selected ? "selected" : "");
    li.append(el("span", "label", s.label), el("span", "detail", s.detail));
    li.onmousedown = (ev) => { ev.preventDefault(); pick(i); };
    list.append(li);
  });
  $("#popup").hidden = !(data.suggestions.length || data.hint);
}

async function ask() {
  const line = input.value;
  if (!line.startsWith("/")) { hidePopup(); return; }
  const mine = ++asked;
  const { ok, data } = await api("/api/sandbox/complete", { as: state.me, channel: state.channel, line });
  if (mine !== asked || input.value !== line) return;  // a newer keystroke wins
  if (ok) renderPopup(data); else hidePopup();
}

function pick(i) {
  const s = state.suggestions[i];
  if (!s) return;
  input.value = s.line;
  input.focus();
  showRefusal("");
  ask();
}

function moveSelection(step) {
  const n = state.suggestions.length;
  if (!n) return;
  state.selected = (state.selected + step + n) % n;
  [...$("#suggestions").children].forEach((li, i) => li.classList.toggle("selected", i === state.selected));
  $("#suggestions").children[state.selected].scrollIntoView({ block: "nearest" });
}

async function send() {
  const line = input.value.trim();
  if (!line) return;
  hidePopup();
  state.pending += 1;
  const { ok, data } = await api("/api/sandbox/send", { as: state.me, channel: state.channel, line });
  state.pending -= 1;
  if (ok) { input.value = ""; showRefusal(""); } else { showRefusal(data.error); }
}

input.addEventListener("input", () => { showRefusal(""); clearTimeout(timer); timer = setTimeout(ask, 60); });
input.addEventListener("focus", ask);
// Hide once focus has really left: a click on a popup entry blurs for a moment, and focus may
// be back (typing again) before the timer fires, with a fresh popup that must stay.
input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) hidePopup(); }, 150));
input.addEventListener("keydown", (ev) => {
  const open = !$("#popup").hidden && state.suggestions.length;
  if (ev.key === "ArrowDown" && open) { ev.preventDefault(); moveSelection(1); }
  else if (ev.key === "ArrowUp" && open) { ev.preventDefault(); moveSelection(-1); }
  else if (ev.key === "Tab" && open) { ev.preventDefault(); pick(Math.max(state.selected, 0)); }
  else if (ev.key === "Enter") {
    ev.preventDefault();
    if (open && state.selected >= 0) pick(state.selected); else send();
  } else if (ev.key === "Escape") hidePopup();
});

// --- start ------------------------------------------------------------------------------
async function start() {
  const { data } = await api("/api/sandbox/state");
  state.people = data.people;
  state.mentions = data.mentions;
  channelList = data.channels;
  state.me = data.people[0].id;
  state.channel = data.channels[0].id;
  $("#server-name").textContent = data.guild.name;
  $("#public-link").href = `/g/${data.guild.id}`;
  document.title = `giftcord sandbox — ${data.guild.name}`;
  const feed = new EventSource("/api/sandbox/feed");
  feed.onmessage = (ev) => { const view = JSON.parse(ev.data); upsert(view); markUnread(view); };
  refresh();
  input.focus();
}

start();
