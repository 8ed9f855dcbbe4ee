// The webhooks panel: every delivery with its attempts, headers (signature), payload and response.
import { fullTime, h, pretty } from "./dom.js";

const SIGNATURE_HEADERS = /signature|x-hub|authorization|idempotency/i;

export function renderWebhooks(box, items, open, redeliver) {
  if (!items.length) {
    box.replaceChildren(h("p", { class: "muted" }, "No webhooks yet. Set a target (PUT /_sandbox/webhooks/targets/{provider}) and they appear here."));
    return;
  }
  box.replaceChildren(...items.map((w) => delivery(w, open, redeliver)));
}

function delivery(w, open, redeliver) {
  const last = w.attempts[w.attempts.length - 1];
  const details = h("details", { class: `webhook state-${w.state}`, dataset: { id: w.id, event: w.event, state: w.state } });
  details.open = open.has(w.id);
  details.addEventListener("toggle", () => (details.open ? open.add(w.id) : open.delete(w.id)));
  details.append(
    h("summary", {},
      h("span", { class: `pill ${w.state}` }, w.state),
      h("span", { class: "wh-event" }, w.event),
      h("span", { class: "wh-meta" }, `${w.attempts.length}× ${last ? (last.status ?? "no answer") : ""}`)),
    h("div", { class: "wh-body" },
      h("div", { class: "kv" }, h("span", {}, "URL"), h("code", {}, w.url)),
      h("div", { class: "kv" }, h("span", {}, "Created"), h("span", {}, fullTime(w.created_at))),
      w.message_id ? h("div", { class: "kv" }, h("span", {}, "Message"), h("code", {}, w.message_id)) : null,
      w.next_attempt_at ? h("div", { class: "kv" }, h("span", {}, "Next try"), h("span", {}, fullTime(w.next_attempt_at))) : null,
      h("h4", {}, "Headers"),
      h("div", { class: "headers" }, Object.entries(w.headers || {}).map(([k, v]) =>
        h("div", { class: `kv${SIGNATURE_HEADERS.test(k) ? " signature" : ""}` }, h("span", {}, k), h("code", {}, v)))),
      h("h4", {}, "Attempts"),
      h("table", { class: "attempts" },
        h("thead", {}, h("tr", {}, ["#", "at", "status", "ms", "response / error"].map((t) => h("th", {}, t)))),
        h("tbody", {}, w.attempts.map((a) => h("tr", { class: a.status >= 200 && a.status < 300 ? "ok" : "bad" },
          h("td", {}, String(a.number)), h("td", {}, fullTime(a.at).slice(11, 19)), h("td", {}, String(a.status ?? "—")),
          h("td", {}, String(Math.round(a.latency_ms))), h("td", { class: "excerpt" }, a.error || a.response_excerpt || ""))))),
      h("h4", {}, "Payload"),
      h("pre", { class: "json" }, pretty(w.body ?? "")),
      h("button", { type: "button", class: "primary resend", onclick: () => redeliver(w.id) }, "Re-send")),
  );
  return details;
}
