// The inbox's own symbols as inline SVG (24x24, drawn with the current text colour). Emoji show as empty
// boxes on machines without an emoji font (common on Linux CI and servers); message content stays as sent.
import { svg } from "./dom.js";

const FACE = "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z";
const EYES = ["M9 9.5h.01", "M15 9.5h.01"];

const PATHS = {
  image: ["M4 5h16v14H4z", "M4 16l5-5 4 4 3-3 4 4", "M15.5 8.5h.01"],
  video: ["M3 6h12v12H3z", "M15 10l6-3v10l-6-3"],
  audio: ["M9 18V5l10-2v13", "M9 18a3 3 0 1 1-6 0a3 3 0 1 1 6 0", "M19 16a3 3 0 1 1-6 0a3 3 0 1 1 6 0"],
  document: ["M6 2h8l5 5v15H6z", "M14 2v5h5", "M9 13h7", "M9 17h7"],
  sticker: ["M4 4h11l5 5v11H4z", "M15 4v5h5", "M8.5 14s1.3 1.8 3.5 1.8"],
  pin: ["M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z", "M12 7.2a1.8 1.8 0 1 0 .01 0"],
  contact: ["M12 12a4 4 0 1 0 0-8a4 4 0 0 0 0 8z", "M4 21c0-4 3.6-6 8-6s8 2 8 6"],
  home: ["M3 11l9-8 9 8", "M5 10v10h5v-6h4v6h5V10"],
  reply: ["M10 7l-6 5 6 5", "M4 12h10a6 6 0 0 1 6 6v1"],
  list: ["M4 6h16", "M4 12h16", "M4 18h16"],
  link: ["M14 4h6v6", "M20 4l-9 9", "M18 14v6H4V6h6"],
  form: ["M4 4h16v16H4z", "M8 9h8", "M8 13h8", "M8 17h5"],
  copy: ["M8 8h12v12H8z", "M4 16V4h12"],
  cart: ["M3 4h2l2.5 11h11L21 8H7", "M10 20h.01", "M17 20h.01"],
  send: ["M4 20l17-8L4 4l2 8z", "M6 12h7"],
  plus: ["M12 5v14", "M5 12h14"],
  close: ["M6 6l12 12", "M18 6L6 18"],
  smile: [FACE, "M8 14s1.5 2 4 2 4-2 4-2", ...EYES],
  code: ["M8 7l-5 5 5 5", "M16 7l5 5-5 5"],
  chats: ["M4 5h16v11H9l-5 4z", "M8 9h8", "M8 12h5"],
  panel: ["M4 4h16v16H4z", "M14 4v16", "M16.5 8h1.5", "M16.5 11h1.5"],
  none: [FACE, "M5.6 18.4L18.4 5.6"],
  // the reaction picker: what each choice sends is the emoji itself (message content)
  thumbs: ["M7 11v9H4v-9z", "M7 11l4-7c1.5 0 2.5 1 2.2 2.6L12.5 10H19a2 2 0 0 1 2 2.3l-1.2 6A2 2 0 0 1 17.8 20H7"],
  heart: ["M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.8A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z"],
  laugh: [FACE, "M7.5 13h9a4.5 4.5 0 0 1-9 0z", "M8 10l1.5-1.5L11 10", "M13 10l1.5-1.5L16 10"],
  wow: [FACE, "M12 13.5a2 2.5 0 1 0 .01 0", ...EYES],
  sad: [FACE, "M8 17s1.5-2 4-2 4 2 4 2", ...EYES, "M16.5 12.5v2"],
  pray: ["M12 4v14", "M12 4c-2 2-4 6-4 9l-3 3 3 3 4-3", "M12 4c2 2 4 6 4 9l3 3-3 3-4-3"],
};

// icon("pin") -> <svg class="icon icon-pin"> (aria-hidden: the button or text next to it says what it is)
export function icon(name, cls = "") {
  return svg("0 0 24 24", PATHS[name] || PATHS.document, `icon icon-${name}${cls ? ` ${cls}` : ""}`);
}

export const ICON_NAMES = Object.keys(PATHS);
