// How a journal entry looks on the user's phone. Meta WhatsApp types are rendered richly, and so is
// another provider's WhatsApp media in Meta's shape (Modica); any other message falls back to its
// text-like fields plus its type, so new providers show up as-is.
import { formatted, h } from "./dom.js";
import { icon } from "./icons.js";

const MEDIA = ["image", "video", "audio", "document", "sticker"];
// maps message type -> the inbox's icon for it (icons.js) and the word WhatsApp's chat list uses
const KINDS = {
  image: ["image", "Photo"], video: ["video", "Video"], audio: ["audio", "Audio"], document: ["document", "Document"],
  sticker: ["sticker", "Sticker"], location: ["pin", "Location"], contacts: ["contact", "Contact"], template: ["document", "Template"],
};

// --- entry points --------------------------------------------------------------------------------

// -> {content: Node[], actions: Node[]}; `ctx.act(kind, data)` performs a user action.
export function renderMessage(msg, ctx) {
  const payload = msg.payload || {};
  if (msg.provider === "meta" || payload.messaging_product === "whatsapp") {
    const renderer = META[msg.type];
    if (renderer) return renderer(payload, msg, ctx);
  }
  // Another provider's WhatsApp media in Meta's object shape (Modica's WAB API relays Meta's messages):
  // previewed like Meta's, an id through that provider's part of the media store.
  if (msg.channel === "whatsapp" && MEDIA.includes(msg.type) && isObject(payload[msg.type])) return media(payload, msg);
  // SMSGlobal's WhatsApp media: {message: {type, url, caption?, filename?}}, a link like Meta's `link`.
  const sent = payload.message;
  if (msg.channel === "whatsapp" && MEDIA.includes(msg.type) && isObject(sent) && typeof sent.url === "string") {
    return media({ [msg.type]: { link: sent.url, caption: sent.caption, filename: sent.filename } }, msg);
  }
  return generic(msg);
}

// One line of plain text for previews and quotes (summaryIcon gives the symbol shown before it).
export function summary(msg) {
  if (!msg) return "";
  const p = msg.payload || {};
  const obj = p[msg.type];
  if (msg.type === "text") return textOf(obj);
  if (MEDIA.includes(msg.type)) return obj?.caption || obj?.filename || KINDS[msg.type][1];
  if (msg.type === "location") return obj?.name || obj?.address || "Location";
  if (msg.type === "contacts") return (obj || []).map((c) => c?.name?.formatted_name).join(", ") || "Contact";
  if (msg.type === "interactive") return interactiveSummary(obj || {});
  if (msg.type === "template") return (typeof msg.meta?.rendered === "string" ? msg.meta.rendered.split("\n")[0] : "") || `Template ${obj?.name || ""}`;
  if (msg.type === "button") return obj?.text || obj?.payload || "";
  if (msg.type === "reaction") return `Reacted ${obj?.emoji || ""}`;
  return genericText(msg) || `[${msg.type}]`;
}

// The icon before a summary (media, location, contact, template), or null.
export function summaryIcon(msg) {
  const kind = msg && (msg.provider === "meta" || msg.channel === "whatsapp") ? KINDS[msg.type] : null;
  return kind ? icon(kind[0], "preview-icon") : null;
}

function interactiveSummary(i) {
  const reply = i.button_reply || i.list_reply;
  if (reply) return reply.title || reply.id || "";
  if (i.nfm_reply) return i.nfm_reply.body || i.nfm_reply.name || "Form response";
  return textOf(i.body) || `[${i.type}]`;
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function textOf(value) {
  if (typeof value === "string") return value;
  return value?.body ?? value?.text ?? "";
}

// --- Meta WhatsApp ---------------------------------------------------------------------------------

const META = {
  text: (p) => ({ content: [h("div", { class: "text" }, formatted(textOf(p.text)))], actions: [] }),
  image: media,
  video: media,
  audio: media,
  document: media,
  sticker: media,
  location: (p) => ({ content: [location(p.location || {})], actions: [] }),
  contacts: (p) => ({ content: (p.contacts || []).map(contactCard), actions: [] }),
  interactive: interactive,
  template: template,
  button: (p) => ({ content: [h("div", { class: "text" }, p.button?.text || p.button?.payload || "")], actions: [] }),
  order: (p) => ({ content: [h("div", { class: "card" }, icon("cart"), `Order: ${(p.order?.product_items || []).length} item(s)`)], actions: [] }),
  system: (p) => ({ content: [h("div", { class: "system-text" }, p.system?.body || "System message")], actions: [] }),
  unsupported: () => ({ content: [h("div", { class: "system-text" }, "This message type is not supported.")], actions: [] }),
};

// Media by link: the link itself; by id: the provider's media store through the inbox (a file card if absent).
function mediaSrc(obj, msg) {
  if (obj.link) return obj.link;
  if (obj.id) return `/_sandbox/inbox/api/media/${encodeURIComponent(msg.provider)}/${encodeURIComponent(obj.id)}`;
  return null;
}

function media(p, msg) {
  const kind = msg.type;
  const obj = p[kind] || {};
  const content = [mediaPreview(kind, obj, mediaSrc(obj, msg))];
  if (obj.caption) content.push(h("div", { class: "text caption" }, formatted(obj.caption)));
  return { content, actions: [] };
}

function mediaPreview(kind, obj, src) {
  const label = obj.filename || (src ? String(src).split("/").pop() : `media id ${obj.id || "?"}`);
  const card = () => h(
    "div",
    { class: `file-card file-${kind}` },
    h("span", { class: "file-icon" }, icon(KINDS[kind]?.[0] || "document")),
    h("span", { class: "file-name" }, label),
    h("span", { class: "file-kind" }, obj.mime_type || kind),
  );
  if ((kind === "image" || kind === "sticker") && src) {
    const img = h("img", { class: `media ${kind}`, src, alt: obj.caption || kind, loading: "lazy" });
    img.addEventListener("error", () => img.replaceWith(card()), { once: true });
    return img;
  }
  if (kind === "video" && src) return h("video", { class: "media", src, controls: true, preload: "metadata" });
  if (kind === "audio" && src) return h("audio", { class: "audio", src, controls: true, preload: "none" });
  if (src) return h("a", { class: "file-link", href: src, target: "_blank", rel: "noopener noreferrer" }, card());
  return card();
}

function location(loc) {
  const lat = Number(loc.latitude);
  const lng = Number(loc.longitude);
  const coords = Number.isFinite(lat) && Number.isFinite(lng) ? `${lat.toFixed(5)}, ${lng.toFixed(5)}` : "";
  const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`;
  return h(
    "a",
    { class: "location", href: coords ? map : null, target: "_blank", rel: "noopener noreferrer" },
    h("div", { class: "map" }, icon("pin", "pin")),
    loc.name ? h("div", { class: "loc-name" }, loc.name) : null,
    loc.address ? h("div", { class: "loc-address" }, loc.address) : null,
    h("div", { class: "loc-coords" }, coords),
  );
}

function contactCard(c) {
  const name = c?.name?.formatted_name || [c?.name?.first_name, c?.name?.last_name].filter(Boolean).join(" ") || "Contact";
  return h(
    "div",
    { class: "contact" },
    h("div", { class: "contact-avatar" }, icon("contact")),
    h(
      "div",
      { class: "contact-lines" },
      h("div", { class: "contact-name" }, name),
      (c?.phones || []).map((ph) => h("div", { class: "contact-line" }, ph.phone || ph.wa_id || "")),
      (c?.emails || []).map((em) => h("div", { class: "contact-line" }, em.email || "")),
      c?.org?.company ? h("div", { class: "contact-line" }, c.org.company) : null,
    ),
  );
}

function header(hd) {
  if (!hd) return null;
  if (hd.type === "text") return h("div", { class: "header-text" }, formatted(hd.text || ""));
  const obj = hd[hd.type];
  if (MEDIA.includes(hd.type) && obj) return mediaPreview(hd.type, obj, mediaSrc(obj, { provider: "meta" }));
  return null;
}

function body(parts) {
  return [
    header(parts.header),
    parts.body ? h("div", { class: "text" }, formatted(textOf(parts.body))) : null,
    parts.footer ? h("div", { class: "footer" }, textOf(parts.footer)) : null,
  ];
}

function interactive(p, msg, ctx) {
  const i = p.interactive || {};
  if (msg.direction === "inbound") return inboundInteractive(i);
  const action = i.action || {};
  const content = body(i);
  const actions = [];
  const context = msg.id;
  if (i.type === "button") {
    for (const b of action.buttons || []) {
      const reply = b.reply || {};
      actions.push(tapButton("reply", reply.title || reply.id, () => ctx.act({
        type: "interactive", interactive: { type: "button_reply", button_reply: { id: reply.id, title: reply.title } },
      }, context)));
    }
  } else if (i.type === "list") {
    actions.push(tapButton("list", action.button || "Menu", () => ctx.pickFromList(msg)));
  } else if (i.type === "cta_url") {
    const params = action.parameters || {};
    actions.push(h("a", { class: "tap-button", href: params.url, target: "_blank", rel: "noopener noreferrer" },
      icon("link", "tap-icon"), params.display_text || params.url || "Open"));
  } else if (i.type === "flow") {
    const params = action.parameters || {};
    actions.push(tapButton("form", params.flow_cta || "Open", () => ctx.completeFlow(msg)));
  } else if (i.type === "address_message") {
    actions.push(tapButton("home", "Provide address", () => ctx.fillAddress(msg)));
  } else if (i.type === "location_request_message") {
    actions.push(tapButton("pin", "Send location", () => ctx.shareLocation(msg.id)));
  } else if (i.type) {
    content.push(h("div", { class: "kind-note" }, `interactive · ${i.type}`));
  }
  return { content, actions };
}

function inboundInteractive(i) {
  const reply = i.button_reply || i.list_reply;
  if (reply) {
    return { content: [
      h("div", { class: "text" }, reply.title || reply.id || ""),
      reply.description ? h("div", { class: "footer" }, reply.description) : null,
    ], actions: [] };
  }
  if (i.nfm_reply) {
    const r = i.nfm_reply;
    return { content: [
      h("div", { class: "kind-note" }, ...(r.name === "address_message" ? [icon("home"), "Address"] : [icon("form"), "Form response"])),
      h("div", { class: "text" }, r.body || ""),
    ], actions: [] };
  }
  return { content: [h("div", { class: "kind-note" }, `interactive · ${i.type || "?"}`)], actions: [] };
}

// Templates: the journal carries the text the user sees (meta.rendered: header, body, footer, then one
// "[label]" line per button) when the template registry knows the template; otherwise the name and the
// parameters the application filled in, so the developer sees exactly what was sent.
function template(p, msg, ctx) {
  const t = p.template || {};
  const comps = t.components || [];
  const content = [h("div", { class: "kind-note" }, icon("document"), `${t.name || "template"} · ${t.language?.code || t.language || ""}`)];
  const rendered = [msg.meta?.rendered, msg.meta?.rendered_text].find((x) => typeof x === "string");
  const headParam = comps.find((c) => c.type === "header")?.parameters?.[0];
  if (headParam && !(rendered && headParam.type === "text")) content.push(templateHeader(headParam));
  const labels = [];
  if (rendered) {
    const lines = rendered.split("\n");
    while (lines.length && /^\[.*\]$/.test(lines[lines.length - 1])) labels.unshift(lines.pop().slice(1, -1));
    content.push(h("div", { class: "text" }, formatted(lines.join("\n"))));
  } else {
    const bodyParams = comps.find((c) => c.type === "body")?.parameters || [];
    if (bodyParams.length) {
      content.push(h("div", { class: "params" }, bodyParams.map((param, n) =>
        h("div", { class: "param" }, h("span", { class: "param-name" }, `{{${param.parameter_name || n + 1}}}`), paramValue(param)))));
    }
  }
  const sent = new Map(comps.filter((c) => c.type === "button").map((c) => [Number(c.index), c]));
  const count = Math.max(labels.length, ...[...sent.keys()].map((i) => i + 1), 0);
  const actions = [];
  for (let index = 0; index < count; index++) actions.push(templateButton(labels[index], sent.get(index), index, msg, ctx));
  return { content, actions };
}

// A quick reply taps back as a "button" message (payload from the send, text = the label). A label
// without a sent component is taken for a quick reply too (UNCONFIRMED for static URL buttons).
function templateButton(label, comp, index, msg, ctx) {
  const param = (comp?.parameters || [])[0] || {};
  if (!comp || comp.sub_type === "quick_reply") {
    const text = label || param.payload || param.text || `Quick reply ${index + 1}`;
    return tapButton("reply", text, () => ctx.act({ type: "button", button: { payload: param.payload || text, text } }, msg.id));
  }
  return h("div", { class: "tap-button static" }, icon(comp.sub_type === "url" ? "link" : "copy", "tap-icon"),
    label ? `${label} (${paramValue(param)})` : `${comp.sub_type || "button"}: ${paramValue(param)}`);
}

function templateHeader(param) {
  if (param.type === "text") return h("div", { class: "header-text" }, param.text || "");
  if (param.type === "location") return location(param.location || {});
  const obj = param[param.type];
  if (MEDIA.includes(param.type) && obj) return mediaPreview(param.type, obj, mediaSrc(obj, { provider: "meta" }));
  return h("div", { class: "kind-note" }, `header · ${param.type}`);
}

function paramValue(param) {
  if (param.type === "text") return param.text ?? "";
  if (param.type === "currency") return param.currency?.fallback_value ?? "";
  if (param.type === "date_time") return param.date_time?.fallback_value ?? "";
  if (param.type === "payload") return param.payload ?? "";
  if (param.type === "coupon_code") return param.coupon_code ?? "";
  const obj = param[param.type];
  return typeof obj === "string" ? obj : JSON.stringify(obj ?? param);
}

function tapButton(name, label, onclick) {
  return h("button", { class: "tap-button", type: "button", onclick }, icon(name, "tap-icon"), label || "");
}

// --- any other provider ------------------------------------------------------------------------

const TEXT_KEYS = ["text", "body", "message", "content", "caption", "title"];

function genericText(msg) {
  const p = msg.payload || {};
  const rendered = msg.meta?.rendered_text || msg.meta?.text;
  if (typeof rendered === "string") return rendered;
  for (const key of TEXT_KEYS) {
    const value = p[key] ?? p[msg.type]?.[key];
    if (typeof value === "string" && value) return value;
    if (value && typeof value.body === "string") return value.body;
  }
  return "";
}

// A template sent through another provider (MAAC's whatsapp leg, SMSGlobal, Modica): name and values.
function genericTemplate(p) {
  const name = p.template_name ?? p.template?.name ?? (typeof p.template === "string" ? p.template : null);
  if (!name) return null;
  const params = p.template_data?.body?.parameters ?? p.params ?? p.parameters ?? p.template?.params ?? [];
  const values = (Array.isArray(params) ? params : Object.values(params)).map((x) => (typeof x === "object" && x ? x.text ?? x.value ?? JSON.stringify(x) : String(x)));
  return [h("div", { class: "kind-note" }, icon("document"), `${name}${p.language ? ` · ${p.language?.code || p.language}` : ""}`),
    values.length ? h("div", { class: "params" }, values.map((v, n) => h("div", { class: "param" }, h("span", { class: "param-name" }, `{{${n + 1}}}`), v))) : null];
}

function generic(msg) {
  const text = genericText(msg);
  const tpl = genericTemplate(msg.payload || {});
  if (tpl && !text) return { content: tpl, actions: [] };
  const content = [];
  if (msg.type && msg.type !== "text" && msg.type !== "sms") content.push(h("div", { class: "kind-note" }, `${msg.provider} · ${msg.type}`));
  if (text) content.push(h("div", { class: "text" }, msg.channel === "sms" ? text : formatted(text)));
  else content.push(h("div", { class: "system-text" }, "No text: see the payload (Inspect)."));
  return { content, actions: [] };
}
