// A public leaderboard page: polls the JSON and fills text nodes only (names stay text).
"use strict";
const guildId = location.pathname.split("/").filter(Boolean).pop();
let period = "week";
let data = null;

const el = (tag, cls, text) => {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
};

function renderBoard(board) {
  const list = document.getElementById(`board-${board}`);
  const rows = data.boards[board][period];
  const unit = list.dataset.unit;
  list.replaceChildren();
  if (!rows.length) { list.append(el("li", "none", "Nobody yet — send a gift!")); return; }
  for (const row of rows) {
    const li = el("li");
    let face;
    if (row.avatar) { face = el("img", "avatar"); face.src = row.avatar; face.alt = ""; }
    else face = el("span", "avatar", row.name.slice(0, 1).toUpperCase());
    li.append(el("span", "rank", `${row.rank}.`), face, el("span", "name", row.name),
      el("span", "value", `${row.value.toLocaleString()} ${row.value === 1 ? unit.slice(0, -1) : unit}`));
    list.append(li);
  }
}

function renderEvent() {
  const box = document.getElementById("event");
  const event = data.event;
  box.hidden = !event;
  if (!event) return;
  document.getElementById("event-name").textContent = event.name;
  const pct = event.goal ? Math.min(100, (100 * event.diamonds) / event.goal) : 100;
  document.getElementById("event-fill").style.width = `${pct}%`;
  const minutes = Math.ceil(event.ends_in_seconds / 60);
  const goal = event.goal ? ` of ${event.goal.toLocaleString()} 💎 goal (${Math.floor(pct)}%)` : " 💎";
  document.getElementById("event-text").textContent =
    `${event.diamonds.toLocaleString()}${goal} · ends in ${minutes} min`;
}

function renderLive() {
  const box = document.getElementById("live");
  const list = document.getElementById("live-list");
  const lives = data.live || [];
  box.hidden = !lives.length;
  list.replaceChildren();
  for (const live of lives) {
    const minutes = Math.floor(live.live_for_seconds / 60);
    const since = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
    const li = el("li");
    li.append(el("span", "name", live.name),
      el("span", "title", live.title ? ` — ${live.title}` : ""),
      el("span", "value", `${live.diamonds.toLocaleString()} 💎 · ${live.gifters} gifters · LIVE for ${since}`));
    list.append(li);
  }
}

function render() {
  if (!data) return;
  document.getElementById("server").textContent = `${data.server} — leaderboards`;
  document.title = `${data.server} — giftcord leaderboards`;
  renderBoard("gifters");
  renderBoard("creators");
  renderEvent();
  renderLive();
}

async function poll() {
  try {
    const response = await fetch(`/api/g/${guildId}`, { cache: "no-store" });
    if (response.ok) { data = await response.json(); render(); }
  } finally {
    setTimeout(poll, 2000);
  }
}

for (const b of document.querySelectorAll("#periods button")) {
  b.onclick = () => {
    period = b.dataset.period;
    for (const o of document.querySelectorAll("#periods button")) o.classList.toggle("active", o === b);
    render();
  };
}
poll();
