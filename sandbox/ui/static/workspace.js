// Which workspace this page shows (one at a time): ?workspace={name}, or the page opened under
// /w/{name}/_sandbox/inbox; none: the default workspace. Every control call and the event stream go to
// that workspace's /_sandbox (README "Workspaces").
const fromPath = location.pathname.match(/^\/w\/([A-Za-z0-9_-]{1,63})\//);
export const WORKSPACE = new URLSearchParams(location.search).get("workspace") || (fromPath && fromPath[1]) || "";
export const API = WORKSPACE ? `/w/${encodeURIComponent(WORKSPACE)}/_sandbox` : "/_sandbox";

// The switcher: the default workspace and every live one; choosing one reloads the page on it.
export async function mountSwitcher(select) {
  const names = await fetch("/_sandbox/workspaces")
    .then((resp) => (resp.ok ? resp.json() : { workspaces: [] }))
    .then((data) => data.workspaces.map((w) => w.name))
    .catch(() => []);
  if (WORKSPACE && !names.includes(WORKSPACE)) names.unshift(WORKSPACE); // deleted or expired: still shown
  const option = (value, label) => Object.assign(document.createElement("option"), { value, textContent: label });
  select.replaceChildren(option("", "default workspace"), ...names.map((n) => option(n, `workspace: ${n}`)));
  select.value = WORKSPACE;
  select.hidden = names.length === 0;
  select.addEventListener("change", () => {
    const url = new URL(location.href);
    url.pathname = "/_sandbox/inbox";
    if (select.value) url.searchParams.set("workspace", select.value);
    else url.searchParams.delete("workspace");
    location.assign(url.toString());
  });
}
