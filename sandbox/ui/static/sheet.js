// Bottom sheets the user fills in: a list menu, a flow, the address form, a location to share.
import { api, toast } from "./api.js";
import { h } from "./dom.js";
import { icon } from "./icons.js";

// The submit row of a form sheet: sticky at the bottom of the sheet, so it is in sight at any height.
const actions = (label) => h("div", { class: "sheet-actions" }, h("button", { type: "submit", class: "primary" }, label));

const sheet = () => document.getElementById("sheet");

export function closeSheet() {
  const el = sheet();
  if (el.open) el.close();
}

export async function openSheet(kind, msg, act) {
  const builders = { list: listSheet, flow: flowSheet, address: addressSheet, location: locationSheet };
  try {
    const { title, body } = await builders[kind](msg, async (spec) => {
      const sent = await act(spec, msg.id || null);
      if (sent) closeSheet();
    });
    const el = sheet();
    el.dataset.kind = kind;
    el.replaceChildren(
      h("div", { class: "sheet-head" }, h("div", { class: "sheet-title" }, title),
        h("button", { type: "button", class: "icon-button", "aria-label": "Close", onclick: closeSheet }, icon("close"))),
      body,
    );
    if (!el.open) el.showModal();
  } catch (err) {
    toast(err.message, "error");
  }
}

function listSheet(msg, send) {
  const i = msg.payload.interactive || {};
  const sections = i.action?.sections || [];
  const body = h("div", { class: "sheet-body" }, sections.map((s) => h("div", { class: "list-section" },
    s.title ? h("div", { class: "list-section-title" }, s.title) : null,
    (s.rows || []).map((row) => h("button", {
      type: "button", class: "list-row", dataset: { rowId: row.id },
      onclick: () => send({ type: "interactive", interactive: { type: "list_reply", list_reply: listReply(row) } }),
    }, h("div", { class: "list-row-title" }, row.title || row.id), row.description ? h("div", { class: "list-row-desc" }, row.description) : null)))));
  return { title: i.action?.button || "Menu", body };
}

function listReply(row) {
  const reply = { id: row.id, title: row.title };
  if (row.description) reply.description = row.description;
  return reply;
}

// A completed Flow reaches the business as an nfm_reply named "flow" (Meta: "Flow response message").
function flowSheet(msg, send) {
  const params = msg.payload.interactive?.action?.parameters || {};
  const area = h("textarea", { class: "json-input", rows: 8, spellcheck: "false" });
  area.value = JSON.stringify({ flow_token: params.flow_token || "unused" }, null, 2);
  const form = h("form", { class: "sheet-body form", onsubmit: (e) => {
    e.preventDefault();
    let data;
    try {
      data = JSON.parse(area.value);
    } catch (err) {
      toast(`The flow response is not JSON: ${err.message}`, "error");
      return;
    }
    send({ type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: JSON.stringify(data) } } });
  } }, h("label", {}, "Response fields (JSON)", area), actions("Submit"));
  return { title: params.flow_cta || "Flow", body: form };
}

// The country's field set (Meta address messages: IN and SG), prefilled as the app asked.
async function addressSheet(msg, send) {
  const spec = await api("GET", `/inbox/api/address-form/${encodeURIComponent(msg.id)}`);
  // Two columns, the long free-text fields across both: the whole form fits a 900 px high window.
  const inputs = spec.fields.map((field) => {
    const input = h("input", { name: field, value: spec.values[field] ?? "" });
    return h("label", { class: ["name", "address", "building_name"].includes(field) ? "wide" : null }, field.replaceAll("_", " "), input);
  });
  const form = h("form", { class: "sheet-body form address", dataset: { country: spec.country }, onsubmit: (e) => {
    e.preventDefault();
    const values = {};
    for (const field of spec.fields) {
      const value = e.target.elements[field].value;
      if (value !== "") values[field] = value;
    }
    const body = spec.fields.filter((f) => values[f]).map((f) => values[f]).join("\n ");
    send({ type: "interactive", interactive: { type: "nfm_reply", nfm_reply: {
      name: "address_message", body, response_json: JSON.stringify({ values }) } } });
  } }, inputs, actions("Send address"));
  return { title: `Address (${spec.country})`, body: form };
}

function locationSheet(msg, send) {
  const field = (name, label, value) => h("label", {}, label, h("input", { name, value }));
  const form = h("form", { class: "sheet-body form", onsubmit: (e) => {
    e.preventDefault();
    const f = e.target.elements;
    const location = { latitude: Number(f.latitude.value), longitude: Number(f.longitude.value) };
    if (f.name.value) location.name = f.name.value;
    if (f.address.value) location.address = f.address.value;
    send({ type: "location", location });
  } },
  field("latitude", "Latitude", "1.28668"), field("longitude", "Longitude", "103.85454"),
  field("name", "Name", "Merlion Park"), field("address", "Address", "1 Fullerton Rd, Singapore 049213"),
  actions("Share location"));
  return { title: "Share location", body: form };
}
