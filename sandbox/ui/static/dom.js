// DOM helpers. Data never becomes markup: every string lands in a text node or an attribute.

const SVG_NS = "http://www.w3.org/2000/svg";

// h("div", {class: "x", onclick: fn, title: "t"}, child, "text", [more]) -> element
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "href" || key === "src") {
      const url = safeUrl(value);
      if (url) el.setAttribute(key, url);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Only web links and the sandbox's own paths may become href/src: never javascript: or data: from a client.
export function safeUrl(value) {
  const text = String(value || "").trim();
  if (text.startsWith("/") && !text.startsWith("//")) return text;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function svg(viewBox, paths, cls) {
  const el = document.createElementNS(SVG_NS, "svg");
  el.setAttribute("viewBox", viewBox);
  el.setAttribute("aria-hidden", "true");
  if (cls) el.setAttribute("class", cls);
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", d);
    el.append(path);
  }
  return el;
}

const TICK_PATHS = {
  single: ["M3 6.6l3 3L13 2.6"],
  double: ["M1 6.6l3 3L11 2.6", "M7.2 8.8l.8.8L15 2.6"],
  clock: ["M8 1.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9", "M8 3.6V6l1.8 1.2"],
  failed: ["M8 1.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9", "M8 3.5v3", "M8 8.3v.4"],
};

// WhatsApp's status marks: clock (accepted), one grey tick (sent), two grey (delivered), two blue (read).
export function ticks(status) {
  const kind = { sent: "single", delivered: "double", read: "double", played: "double", failed: "failed" }[status] || "clock";
  const el = svg("0 0 16 12", TICK_PATHS[kind], `ticks ticks-${status}`);
  el.dataset.status = status;
  return el;
}

// --- WhatsApp text formatting ------------------------------------------------------------------
// *bold* _italic_ ~strike~ ```monospace``` `inline code`, and bare links. Markers count only at word
// edges, as in the app ("2*3*4" stays as typed).
const EDGE = "[\\p{L}\\p{N}]";
const FORMATS = [
  { re: /```([\s\S]+?)```/u, tag: "code", cls: "mono", nested: false },
  { re: new RegExp(`(?<!${EDGE}|\\*)\\*(?!\\s)([^*\\n]+?)(?<!\\s)\\*(?!${EDGE})`, "u"), tag: "strong", nested: true },
  { re: new RegExp(`(?<!${EDGE}|_)_(?!\\s)([^_\\n]+?)(?<!\\s)_(?!${EDGE})`, "u"), tag: "em", nested: true },
  { re: new RegExp(`(?<!${EDGE}|~)~(?!\\s)([^~\\n]+?)(?<!\\s)~(?!${EDGE})`, "u"), tag: "s", nested: true },
  { re: /(?<!`)`([^`\n]+)`(?!`)/u, tag: "code", cls: "inline", nested: false },
  { re: /\bhttps?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]/u, tag: "a", nested: false },
];

export function formatted(text) {
  const fragment = document.createDocumentFragment();
  formatInto(fragment, String(text ?? ""));
  return fragment;
}

function formatInto(parent, text) {
  let rest = text;
  while (rest) {
    let best = null;
    for (const format of FORMATS) {
      const m = format.re.exec(rest);
      if (m && (best === null || m.index < best.m.index)) best = { m, format };
    }
    if (best === null) {
      parent.append(document.createTextNode(rest));
      return;
    }
    const { m, format } = best;
    if (m.index) parent.append(document.createTextNode(rest.slice(0, m.index)));
    if (format.tag === "a") {
      parent.append(h("a", { href: m[0], target: "_blank", rel: "noopener noreferrer" }, m[0]));
    } else {
      const el = h(format.tag, { class: format.cls });
      if (format.nested) formatInto(el, m[1]);
      else el.textContent = m[1];
      parent.append(el);
    }
    rest = rest.slice(m.index + m[0].length);
  }
}

export function clockTime(seconds) {
  const d = new Date(seconds * 1000);
  return d.toISOString().slice(11, 16);
}

export function fullTime(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function initials(name) {
  const words = String(name || "?").replace(/[^\p{L}\p{N} ]/gu, " ").trim().split(/\s+/);
  return (words[0]?.[0] || "#") + (words.length > 1 ? words[words.length - 1][0] : "");
}

export function pretty(value) {
  if (typeof value === "string") {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}
