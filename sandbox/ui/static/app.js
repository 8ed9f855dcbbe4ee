// The inbox page: state from the control API, live updates from the event stream, the user's actions
// posted to /_sandbox/inbound (so the application gets the very webhook a test would produce).
import { clockTime, fullTime, h, initials, pretty, ticks } from "./dom.js";
import { icon } from "./icons.js";
import { renderMessage, summary, summaryIcon } from "./render.js";
import { api, toast } from "./api.js";
import { openSheet } from "./sheet.js";
import { renderScenario } from "./scenario.js";
import { renderWebhooks } from "./webhooks.js";

const API = "/_sandbox";
const $ = (id) => document.getElementById(id);
// The picker shows icons (icons.js); the reaction sent is the emoji, as the app would send it.
const REACTIONS = [
  { emoji: "👍", icon: "thumbs", label: "Thumbs up" }, { emoji: "❤️", icon: "heart", label: "Red heart" },
  { emoji: "😂", icon: "laugh", label: "Tears of joy" }, { emoji: "😮", icon: "wow", label: "Surprised" },
  { emoji: "😢", icon: "sad", label: "Crying" }, { emoji: "🙏", icon: "pray", label: "Folded hands" },
];
// Widths below which the side panels become drawers: keep in step with the media queries in inbox.css.
const PANEL_DRAWER = window.matchMedia("(max-width: 1179px)");
const CHATS_DRAWER = window.matchMedia("(max-width: 759px)");

const state = {
  messages: new Map(), // maps message id -> journal entry
  users: {}, // maps user digits -> display name
  businesses: {}, // maps provider -> business id -> label
  targets: {}, // GET /webhooks/targets as is
  drafts: new Map(), // maps conversation key -> {provider, business, user} opened before any message
  selected: null, // conversation key
  unread: new Map(), // maps conversation key -> count of live arrivals not yet seen
  replyTo: null, // message id the next typed reply quotes
  webhooks: [],
  openWebhooks: new Set(), // delivery ids expanded in the panel
  loaded: false,
  drawer: null, // "chats" | "panel" while one slides over the chat (narrow windows)
};

// --- API -----------------------------------------------------------------------------------------

async function loadAll() {
  const [list, targets] = await Promise.all([api("GET", "/messages?limit=5000"), api("GET", "/webhooks/targets").catch(() => ({}))]);
  state.messages = new Map(list.messages.map((m) => [m.id, m]));
  state.targets = targets;
  state.businesses = businessLabels(targets);
  await loadDirectory();
  state.loaded = true;
  render();
  refreshWebhooks();
  refreshScenario();
}

async function loadDirectory() {
  const dir = await api("GET", "/inbox/api/directory").catch(() => ({ users: {} }));
  state.users = dir.users || {};
}

function businessLabels(targets) {
  const out = {};
  for (const [provider, items] of Object.entries(targets || {})) {
    out[provider] = {};
    for (const item of Array.isArray(items) ? items : []) {
      const id = item.phone_number_id ?? item.business ?? item.id ?? item.account ?? item.sender;
      const label = item.verified_name ?? item.name ?? item.display_phone_number ?? item.sender ?? id;
      const number = item.display_phone_number ?? item.sender ?? "";
      if (id !== undefined) out[provider][String(id)] = number && number !== label ? `${label} · ${number}` : String(label);
    }
  }
  return out;
}

async function fetchMessage(id) {
  try {
    const msg = await api("GET", `/messages/${encodeURIComponent(id)}`);
    const isNew = !state.messages.has(id);
    state.messages.set(id, msg);
    const key = convKey(msg);
    if (isNew && key !== state.selected) state.unread.set(key, (state.unread.get(key) || 0) + 1);
    if (isNew && !(msg.user in state.users)) await loadDirectory();
    if (!state.selected) state.selected = key;
    scheduleRender();
  } catch {
    // evicted or reset meanwhile: nothing to show
  }
}

// --- live feed -----------------------------------------------------------------------------------

function connect() {
  const source = new EventSource(`${API}/inbox/events`);
  const live = $("live");
  source.addEventListener("hello", () => {
    live.dataset.state = "live";
    $("live-text").textContent = "live";
    loadAll().catch((err) => toast(err.message, "error"));
  });
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.kind === "webhook") scheduleWebhooks();
    else if (data.id) fetchMessage(data.id);
    scheduleClock();
  };
  source.onerror = () => {
    live.dataset.state = "offline";
    $("live-text").textContent = "reconnecting";
  };
}

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

let webhooksTimer = null;
function scheduleWebhooks() {
  clearTimeout(webhooksTimer);
  webhooksTimer = setTimeout(refreshWebhooks, 120);
}

let clockTimer = null;
function scheduleClock() {
  clearTimeout(clockTimer);
  clockTimer = setTimeout(refreshClock, 300);
}

// --- conversations -------------------------------------------------------------------------------

function convKey(m) {
  return `${m.provider}|${m.business}|${m.user}`;
}

function splitKey(key) {
  const [provider, business, user] = key.split("|");
  return { provider, business, user };
}

function userName(user) {
  return state.users[user] || `+${user}`;
}

function businessName(provider, business) {
  return state.businesses[provider]?.[business] || business;
}

function conversations() {
  const convs = new Map();
  for (const [key, d] of state.drafts) convs.set(key, { key, ...d, messages: [], last: null });
  for (const m of state.messages.values()) {
    const key = convKey(m);
    if (!convs.has(key)) convs.set(key, { key, provider: m.provider, business: m.business, user: m.user, messages: [] });
    convs.get(key).messages.push(m);
  }
  for (const c of convs.values()) {
    c.messages.sort((a, b) => a.created_at - b.created_at);
    c.last = c.messages[c.messages.length - 1] || null;
    c.channels = [...new Set(c.messages.map((m) => m.channel))];
  }
  return [...convs.values()].sort((a, b) => (b.last?.created_at ?? Infinity) - (a.last?.created_at ?? Infinity));
}

function render() {
  const convs = conversations();
  if (!state.selected && convs.length) state.selected = convs[0].key;
  renderSidebar(convs);
  renderChat(convs.find((c) => c.key === state.selected));
}

function renderSidebar(convs) {
  const query = $("search").value.trim().toLowerCase();
  const groups = new Map();
  for (const c of convs) {
    const hay = `${userName(c.user)} ${c.user} ${businessName(c.provider, c.business)} ${summary(c.last)}`.toLowerCase();
    if (query && !hay.includes(query)) continue;
    const group = `${c.provider}|${c.business}`;
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(c);
  }
  const nav = $("conversations");
  const nodes = [];
  for (const [group, items] of groups) {
    const { provider, business } = splitKey(group);
    nodes.push(h("div", { class: "group-title" }, h("span", { class: "provider" }, provider), " ", businessName(provider, business)));
    for (const c of items) nodes.push(conversationItem(c));
  }
  if (!nodes.length) nodes.push(h("p", { class: "empty" }, state.loaded ? "No conversations yet. Send a message through the API, or start one with +." : "Loading…"));
  nav.replaceChildren(...nodes);
}

function conversationItem(c) {
  const unread = state.unread.get(c.key) || 0;
  const last = c.last;
  return h(
    "button",
    {
      class: `conversation${c.key === state.selected ? " selected" : ""}`,
      type: "button",
      dataset: { key: c.key, user: c.user, provider: c.provider },
      onclick: () => selectConversation(c.key),
    },
    h("div", { class: "avatar mini" }, initials(userName(c.user))),
    h(
      "div",
      { class: "conv-lines" },
      h("div", { class: "conv-top" }, h("span", { class: "conv-name" }, userName(c.user)), h("span", { class: "conv-time" }, last ? clockTime(last.created_at) : "")),
      h(
        "div",
        { class: "conv-bottom" },
        last && last.direction === "outbound" ? ticks(last.status) : null,
        summaryIcon(last),
        h("span", { class: "conv-preview" }, last ? summary(last) : "New chat"),
        c.channels.includes("sms") ? h("span", { class: "badge sms" }, "SMS") : null,
        unread ? h("span", { class: "unread" }, String(unread)) : null,
      ),
    ),
  );
}

function selectConversation(key) {
  state.selected = key;
  state.replyTo = null;
  state.unread.delete(key);
  if (state.drawer === "chats") setDrawer(null);
  render();
  renderWebhooksPanel();
}

// --- drawers (narrow windows) ----------------------------------------------------------------------

// Below PANEL_DRAWER / CHATS_DRAWER widths the inspector and the conversation list slide over the chat;
// one at a time, closed by their toggle, the scrim or Escape.
function setDrawer(name) {
  state.drawer = name;
  document.body.dataset.drawer = name || "";
  $("scrim").hidden = !name;
  for (const toggle of document.querySelectorAll(".drawer-toggle")) toggle.setAttribute("aria-expanded", String(toggle.dataset.drawer === name));
}

function setupDrawers() {
  for (const toggle of document.querySelectorAll(".drawer-toggle")) {
    toggle.addEventListener("click", () => setDrawer(state.drawer === toggle.dataset.drawer ? null : toggle.dataset.drawer));
  }
  $("scrim").addEventListener("click", () => setDrawer(null));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.drawer && !$("sheet").open) setDrawer(null);
  });
  // Wider again: the panels are columns, no drawer stays "open" behind them.
  const widen = () => {
    if ((state.drawer === "panel" && !PANEL_DRAWER.matches) || (state.drawer === "chats" && !CHATS_DRAWER.matches)) setDrawer(null);
  };
  PANEL_DRAWER.addEventListener("change", widen);
  CHATS_DRAWER.addEventListener("change", widen);
}

// --- chat ----------------------------------------------------------------------------------------

function renderChat(conv) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const enabled = Boolean(conv);
  $("composer-text").disabled = !enabled;
  $("composer-send").disabled = !enabled;
  $("share-location").disabled = !enabled;
  renderReplying();
  if (!conv) {
    box.replaceChildren(h("div", { class: "chat-empty" }, h("div", { class: "chat-empty-title" }, "wa-sandbox inbox"),
      h("p", {}, "Every message your application sends through the sandbox shows here, live. Open a chat to answer as the user.")));
    return;
  }
  $("chat-avatar").textContent = initials(userName(conv.user));
  $("chat-name").textContent = userName(conv.user);
  $("chat-sub").textContent = `+${conv.user} · ${conv.provider} · ${businessName(conv.provider, conv.business)}`;
  const reactions = reactionsByTarget(conv.messages);
  const nodes = [];
  let day = "";
  for (const m of conv.messages) {
    if (m.type === "reaction" && reactions.attached.has(m.id)) continue;
    const thisDay = fullTime(m.created_at).slice(0, 10);
    if (thisDay !== day) {
      day = thisDay;
      nodes.push(h("div", { class: "day" }, h("span", {}, thisDay)));
    }
    nodes.push(messageRow(m, reactions.byTarget.get(m.id) || []));
  }
  box.replaceChildren(...nodes);
  if (nearBottom || box.dataset.conv !== conv.key) box.scrollTop = box.scrollHeight;
  box.dataset.conv = conv.key;
}

// Reactions show on the message they react to (the latest one per side wins; "" removes it).
function reactionsByTarget(messages) {
  const latest = new Map();
  const attached = new Set();
  const ids = new Set(messages.map((m) => m.id));
  for (const m of messages) {
    if (m.type !== "reaction") continue;
    const target = m.payload?.reaction?.message_id;
    if (!ids.has(target)) continue;
    attached.add(m.id);
    latest.set(`${target}|${m.direction}`, m);
  }
  const byTarget = new Map();
  for (const m of latest.values()) {
    const emoji = m.payload.reaction.emoji;
    if (!emoji) continue;
    const target = m.payload.reaction.message_id;
    if (!byTarget.has(target)) byTarget.set(target, []);
    byTarget.get(target).push({ emoji, by: m.direction === "inbound" ? "user" : "business", status: m.status });
  }
  return { byTarget, attached };
}

// A message that failed never reached the user: nothing in it can be answered. Its buttons, links and
// "Provide address" are disabled, and hovering says why.
function unreachable(m) {
  if (m.direction !== "outbound" || m.status !== "failed") return null;
  const code = failureError(m).code;
  return `This message failed${code ? ` (${code})` : ""}: it never reached the user, so they cannot answer it.`;
}

function disable(node, why) {
  if (node.tagName === "BUTTON") node.disabled = true;
  else node.removeAttribute("href");
  node.setAttribute("aria-disabled", "true");
  node.classList.add("disabled");
  node.title = why;
  return node;
}

function messageRow(m, reactions) {
  const fromUser = m.direction === "inbound";
  const { content, actions } = renderMessage(m, ctx);
  const why = unreachable(m);
  if (why) for (const action of actions) disable(action, why);
  const bubble = h(
    "div",
    { class: `bubble${m.channel === "sms" ? " sms" : ""}` },
    m.channel === "sms" ? h("div", { class: "leg" }, legLabel(m)) : null,
    quote(m),
    content,
    h("div", { class: "meta" }, h("span", { class: "time", title: fullTime(m.created_at) }, clockTime(m.created_at)), statusMark(m)),
  );
  const row = h(
    "div",
    { class: `row ${fromUser ? "from-user" : "from-business"}`, dataset: { id: m.id, status: m.status, type: m.type } },
    h("div", { class: "stack" }, bubble, actions.length ? h("div", { class: "actions" }, actions) : null,
      reactions.length ? h("div", { class: "reactions" }, reactions.map((r) => h("span", { class: `reaction by-${r.by}`, title: `${r.by} reacted` }, r.emoji))) : null,
      failure(m)),
    hoverTools(m, why),
  );
  return row;
}

// An SMS is a fallback leg when the provider says so, or when a WhatsApp message of the same provider
// in this chat shares one of its "*message_id" facts (MAAC SMS+: pnp_message_id).
function legLabel(m) {
  const leg = m.meta?.leg || m.meta?.fallback_of || isFallbackLeg(m) ? "SMS fallback" : "SMS";
  const parts = m.meta?.segments || m.meta?.parts || m.payload?.segments;
  return parts ? `${leg} · ${parts} part(s)` : leg;
}

function isFallbackLeg(m) {
  const keys = Object.keys(m.meta || {}).filter((k) => k.endsWith("message_id") && m.meta[k] != null);
  return [...state.messages.values()].some((o) => o.channel === "whatsapp" && o.provider === m.provider &&
    o.user === m.user && keys.some((k) => o.meta?.[k] === m.meta[k]));
}

function statusMark(m) {
  if (m.direction === "outbound") return ticks(m.status);
  if (m.meta?.read_by_business) return ticks("read");
  return null;
}

function failureError(m) {
  const event = [...(m.history || [])].reverse().find((e) => e.status === "failed") || {};
  return (event.errors || [])[0] || {};
}

function failure(m) {
  if (m.status !== "failed") return null;
  const err = failureError(m);
  const details = err.error_data?.details || err.message || err.reason || "";
  const text = err.code ? `Failed · ${err.code} ${err.title || ""}` : "Failed";
  return h("div", { class: "failure", title: details }, text, details ? h("div", { class: "failure-details" }, details) : null);
}

function quote(m) {
  const ctxId = m.payload?.context?.message_id || m.payload?.context?.id || m.meta?.context;
  if (!ctxId) return null;
  const target = state.messages.get(ctxId);
  const who = target ? (target.direction === "inbound" ? userName(target.user) : businessName(target.provider, target.business).split(" · ")[0]) : "Message";
  return h(
    "button",
    { class: "quote", type: "button", onclick: () => flash(ctxId) },
    h("div", { class: "quote-who" }, who),
    h("div", { class: "quote-text" }, target ? summary(target) : ctxId),
  );
}

function flash(id) {
  const row = document.querySelector(`.row[data-id="${CSS.escape(id)}"]`);
  if (!row) return;
  row.scrollIntoView({ block: "center", behavior: "smooth" });
  row.classList.add("flash");
  setTimeout(() => row.classList.remove("flash"), 1200);
}

function hoverTools(m, why) {
  const tools = h("div", { class: "tools" });
  const reply = h("button", { type: "button", class: "tool", title: "Reply (quote)", "aria-label": "Reply", onclick: () => startReply(m.id) }, icon("reply"));
  const reactOpen = h("button", { type: "button", class: "tool react-open", title: "React", "aria-label": "React", onclick: () => tools.classList.toggle("reacting") }, icon("smile"));
  tools.append(
    why ? disable(reply, why) : reply,
    why ? disable(reactOpen, why) : reactOpen,
    h("button", { type: "button", class: "tool", title: "Inspect the journal entry", "aria-label": "Inspect", onclick: () => inspect(m.id) }, icon("code")),
    h("div", { class: "react-picker" }, REACTIONS.map((r) =>
      h("button", { type: "button", class: `emoji react-${r.icon}`, title: r.label, "aria-label": r.label, dataset: { emoji: r.emoji }, onclick: () => react(m, r.emoji) }, icon(r.icon))),
    h("button", { type: "button", class: "emoji remove", title: "Remove reaction", "aria-label": "Remove reaction", onclick: () => react(m, "") }, icon("none"))),
  );
  return tools;
}

function renderReplying() {
  const bar = $("replying");
  const target = state.replyTo && state.messages.get(state.replyTo);
  bar.hidden = !target;
  if (target) $("replying-quote").replaceChildren(h("div", { class: "quote-who" }, "Replying to"), h("div", { class: "quote-text" }, summary(target)));
}

function startReply(id) {
  state.replyTo = id;
  renderReplying();
  $("composer-text").focus();
}

// --- acting as the user --------------------------------------------------------------------------

// Every action is one POST /_sandbox/inbound, the same call a test makes.
async function act(spec, contextId) {
  const conv = state.selected && splitKey(state.selected);
  if (!conv) return null;
  const why = contextId && unreachable(state.messages.get(contextId) || {});
  if (why) {
    toast(why, "error");
    return null;
  }
  const body = { provider: conv.provider, business: conv.business, from: `+${conv.user}`, ...spec };
  if (contextId) body.context = { message_id: contextId };
  try {
    const msg = await api("POST", "/inbound", body);
    state.messages.set(msg.id, msg);
    state.drafts.delete(state.selected);
    scheduleRender();
    scheduleWebhooks();
    return msg;
  } catch (err) {
    toast(err.message, "error");
    return null;
  }
}

function react(m, emoji) {
  act({ type: "reaction", reaction: { message_id: m.id, emoji } });
}

async function sendText(event) {
  event.preventDefault();
  const input = $("composer-text");
  const text = input.value;
  if (!text.trim()) return;
  const sent = await act({ type: "text", text }, state.replyTo);
  if (sent) {
    input.value = "";
    state.replyTo = null;
    renderReplying();
  }
}

const ctx = {
  act,
  pickFromList: (m) => openSheet("list", m, act),
  completeFlow: (m) => openSheet("flow", m, act),
  fillAddress: (m) => openSheet("address", m, act),
  shareLocation: (contextId) => openSheet("location", { id: contextId }, act),
};

async function inspect(id) {
  selectTab("inspect");
  if (PANEL_DRAWER.matches) setDrawer("panel");
  const box = $("inspect");
  try {
    const msg = await api("GET", `/messages/${encodeURIComponent(id)}`);
    box.replaceChildren(
      h("div", { class: "inspect-title" }, `${msg.provider} · ${msg.channel} · ${msg.direction} · ${msg.type}`),
      h("div", { class: "mono-line" }, msg.id),
      h("h4", {}, "Status history"),
      h("ol", { class: "history" }, (msg.history || []).map((e) => h("li", {}, `${fullTime(e.timestamp)}  ${e.status}`,
        e.errors ? h("span", { class: "err" }, ` ${e.errors.map((x) => x.code).join(", ")}`) : null))),
      h("h4", {}, "Payload"), h("pre", { class: "json" }, pretty(msg.payload)),
      h("h4", {}, "Meta"), h("pre", { class: "json" }, pretty(msg.meta)),
      h("h4", {}, `Webhooks (${(msg.webhooks || []).length})`),
      h("ul", { class: "history" }, (msg.webhooks || []).map((w) => h("li", {}, `${w.event} · ${w.state} · ${w.attempts.length} attempt(s)`))),
    );
  } catch (err) {
    box.replaceChildren(h("p", { class: "error" }, err.message));
  }
}

// --- side panel ----------------------------------------------------------------------------------

function selectTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const body of document.querySelectorAll(".tab-body")) body.hidden = body.id !== `tab-${name}`;
}

async function refreshWebhooks() {
  try {
    state.webhooks = (await api("GET", "/webhooks?limit=300")).webhooks;
  } catch (err) {
    toast(err.message, "error");
  }
  renderWebhooksPanel();
}

function renderWebhooksPanel() {
  const onlyChat = $("webhooks-this-chat").checked;
  const inChat = new Set([...state.messages.values()].filter((m) => convKey(m) === state.selected).map((m) => m.id));
  // a batched POST (README "Batched webhooks") belongs to every chat one of its updates is in
  const concerns = (w) => inChat.has(w.message_id) || (w.updates || []).some((u) => inChat.has(u.message_id));
  const items = onlyChat ? state.webhooks.filter(concerns) : state.webhooks;
  $("webhook-count").textContent = String(state.webhooks.length);
  renderWebhooks($("webhooks"), items, state.openWebhooks, async (id) => {
    try {
      await api("POST", `/webhooks/${encodeURIComponent(id)}/redeliver`);
      toast("Webhook re-sent");
      refreshWebhooks();
    } catch (err) {
      toast(err.message, "error");
    }
  });
}

async function refreshClock() {
  try {
    const clock = await api("GET", "/clock");
    $("clock-chip").textContent = `clock: ${clock.mode} · ${fullTime(clock.now).slice(11)}`;
    return clock;
  } catch {
    return null;
  }
}

async function refreshScenario() {
  const [scenario, clock] = await Promise.all([api("GET", "/scenario").catch(() => null), refreshClock()]);
  if (!scenario) return;
  $("scenario-chip").textContent = `scenario: ${scenario.name}`;
  renderScenario($("scenario"), scenario, clock, {
    advance: async (seconds) => {
      await api("POST", "/clock/advance", { seconds }).catch((err) => toast(err.message, "error"));
      refreshScenario();
    },
    reset: async () => {
      await api("POST", "/reset", {}).catch((err) => toast(err.message, "error"));
      state.selected = null;
      state.drafts.clear();
      state.unread.clear();
      await loadAll();
      toast("Sandbox reset");
    },
    openChat: (number) => openDraft("meta", Object.keys(state.businesses.meta || {})[0] || "", number),
  });
}

// --- new chat ------------------------------------------------------------------------------------

function openDraft(provider, business, number) {
  const user = String(number).replace(/\D/g, "");
  if (!user) return;
  const key = `${provider}|${business}|${user}`;
  if (![...state.messages.values()].some((m) => convKey(m) === key)) state.drafts.set(key, { provider, business, user });
  selectConversation(key);
}

function setupNewChat() {
  const form = $("new-chat-form");
  const providerSelect = form.elements.provider;
  const businessSelect = form.elements.business;
  const fillBusinesses = () => {
    const ids = Object.entries(state.businesses[providerSelect.value] || {});
    businessSelect.replaceChildren(...ids.map(([id, label]) => h("option", { value: id }, label)));
  };
  $("new-chat").addEventListener("click", () => {
    const providers = Object.keys(state.businesses).length ? Object.keys(state.businesses) : ["meta"];
    providerSelect.replaceChildren(...providers.map((p) => h("option", { value: p }, p)));
    fillBusinesses();
    form.hidden = !form.hidden;
    if (!form.hidden) form.elements.number.focus();
  });
  providerSelect.addEventListener("change", fillBusinesses);
  form.querySelector("[data-cancel]").addEventListener("click", () => { form.hidden = true; });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    openDraft(providerSelect.value, businessSelect.value, form.elements.number.value);
    form.hidden = true;
    form.reset();
  });
}

// --- start ---------------------------------------------------------------------------------------

function start() {
  for (const el of document.querySelectorAll("[data-icon]")) el.prepend(icon(el.dataset.icon));
  setupDrawers();
  $("composer").addEventListener("submit", sendText);
  $("share-location").addEventListener("click", () => ctx.shareLocation(null));
  $("replying-cancel").addEventListener("click", () => { state.replyTo = null; renderReplying(); });
  $("search").addEventListener("input", () => renderSidebar(conversations()));
  $("webhooks-this-chat").addEventListener("change", renderWebhooksPanel);
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => {
      selectTab(tab.dataset.tab);
      if (tab.dataset.tab === "scenario") refreshScenario();
    });
  }
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".tools")) for (const t of document.querySelectorAll(".tools.reacting")) t.classList.remove("reacting");
  });
  setupNewChat();
  render();
  connect();
  setInterval(refreshClock, 10_000);
}

start();
