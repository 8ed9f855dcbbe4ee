// The scenario panel: what is loaded, the virtual clock, the magic-number table, and reset.
import { fullTime, h } from "./dom.js";

export function renderScenario(box, scenario, clock, actions) {
  const reset = h("button", { type: "button", class: "danger", id: "reset" }, "Reset sandbox");
  reset.addEventListener("click", () => {
    // Two clicks instead of confirm(): a modal dialog would block tests and the live view.
    if (reset.dataset.armed) {
      actions.reset();
      return;
    }
    reset.dataset.armed = "1";
    reset.textContent = "Click again: forget every message and webhook";
    setTimeout(() => { delete reset.dataset.armed; reset.textContent = "Reset sandbox"; }, 4000);
  });
  const clockBox = clock
    ? h("div", { class: "clock" },
      h("div", { class: "kv" }, h("span", {}, "Clock"), h("span", {}, `${clock.mode} · ${fullTime(clock.now)}`)),
      h("div", { class: "advance" }, "Advance ", [1, 5, 60, 3600].map((s) =>
        h("button", { type: "button", dataset: { seconds: s }, onclick: () => actions.advance(s) }, s < 60 ? `+${s} s` : s < 3600 ? "+1 min" : "+1 h"))))
    : null;
  box.replaceChildren(
    h("div", { class: "scenario-name" }, scenario.name),
    scenario.description ? h("p", { class: "muted" }, scenario.description) : null,
    h("div", { class: "kv" }, h("span", {}, "Source"), h("code", {}, scenario.source)),
    clockBox,
    h("h4", {}, "Magic numbers"),
    h("table", { class: "magic" },
      h("thead", {}, h("tr", {}, h("th", {}, "Number"), h("th", {}, "Outcome"), h("th", {}, ""))),
      h("tbody", {}, (scenario.magic_numbers || []).map((row) => h("tr", {},
        h("td", { class: "number" }, row.number),
        h("td", {}, h("div", { class: "rule" }, row.rule), h("div", { class: "muted" }, row.description)),
        h("td", {}, h("button", { type: "button", class: "small", title: "Open a chat as this user", onclick: () => actions.openChat(row.number) }, "Chat")))))),
    h("div", { class: "reset-box" }, reset),
  );
}
