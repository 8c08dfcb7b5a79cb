/*
 * Status widget for other sites, served as /embed.js:
 *
 *   <script src="https://status.example.com/embed.js" async
 *           data-position="bottom-right" data-lang="en" data-components="id1,id2"></script>
 *
 * It reads /api/v2/summary.json from the origin it was loaded from (no other request,
 * no fonts, no cookies, no storage), shows an indicator and, while an incident is open or
 * a maintenance is in progress, a banner that can be dismissed for as long as the page
 * stays open. Everything lives in a Shadow DOM so the host page's CSS cannot reach it, and
 * API text only ever goes through textContent.
 */
(function () {
  "use strict";

  // Written by the server: base_url, page_name, default_language, poll_seconds, locales.
  var CONFIG = /*STATUSPAGE_CONFIG*/{};
  if (!CONFIG.locales || !window.fetch || !Element.prototype.attachShadow) {
    return;
  }

  var script = document.currentScript;
  if (!script) {
    // Some loaders inject the script without currentScript: find our tag by its file name.
    var tags = document.querySelectorAll("script[src]");
    for (var t = 0; t < tags.length; t++) {
      if (/\/embed\.js(?:[?#]|$)/.test(tags[t].src)) { script = tags[t]; }
    }
  }
  var data = (script && script.dataset) || {};
  var base = CONFIG.base_url;
  if (script && script.src) {
    // Where the script came from is where the page and its API live (proxies, CDNs).
    base = script.src.replace(/[?#].*$/, "").replace(/embed\.js$/, "");
  }

  var POSITIONS = ["bottom-right", "bottom-left", "top"];
  var position = POSITIONS.indexOf(data.position) >= 0 ? data.position : "bottom-right";
  var wanted = (data.components || "").split(",").map(function (s) { return s.trim(); })
    .filter(Boolean);
  var words = pickLocale();
  var warned = false;
  var dismissed = {};  // in memory only: a reload shows the banner again
  var host, root, widget, dot, link, banners;

  function pickLocale() {
    var codes = Object.keys(CONFIG.locales);
    var lower = codes.map(function (c) { return c.toLowerCase(); });
    var candidates = [data.lang, document.documentElement.lang]
      .concat(navigator.languages || [navigator.language], [CONFIG.default_language, codes[0]]);
    for (var i = 0; i < candidates.length; i++) {
      var c = String(candidates[i] || "").replace(/_/g, "-").toLowerCase();
      if (!c) { continue; }
      var exact = lower.indexOf(c);
      if (exact >= 0) { return CONFIG.locales[codes[exact]]; }
      var primary = lower.indexOf(c.split("-")[0]);
      if (primary >= 0) { return CONFIG.locales[codes[primary]]; }
    }
    return CONFIG.locales[codes[0]];
  }

  var CSS = [
    ":host { all: initial; }",
    ".root { --bg: #ffffff; --text: #111827; --muted: #4b5563; --border: #d8dde5;",
    "  --focus: #1d4ed8; --link: #1d4ed8; --none: #15803d; --minor: #a16207; --major: #c2410c;",
    "  --critical: #b91c1c; --maintenance: #1d4ed8; --unknown: #6b7280;",
    "  position: fixed; z-index: 2147483000; display: flex; flex-direction: column; gap: 8px;",
    "  max-width: min(24rem, calc(100vw - 32px)); color: var(--text); color-scheme: light;",
    "  font: 14px/1.4 system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif; }",
    "@media (prefers-color-scheme: dark) { .root { --bg: #171b22; --text: #e6e9ef; --muted: #a3acb9;",
    "  --border: #2c333e; --focus: #93c5fd; --link: #93c5fd; --none: #4ade80; --minor: #facc15;",
    "  --major: #fb923c; --critical: #f87171; --maintenance: #60a5fa; --unknown: #9ca3af;",
    "  color-scheme: dark; } }",
    ".root[data-position='bottom-right'] { right: 16px; bottom: 16px; align-items: flex-end; }",
    ".root[data-position='bottom-left'] { left: 16px; bottom: 16px; align-items: flex-start; }",
    ".root[data-position='top'] { top: 0; left: 0; right: 0; max-width: none; padding: 8px;",
    "  align-items: stretch; }",
    ".root[data-position='top'] .widget { align-self: flex-end; }",
    ".widget, .banner { background: var(--bg); color: var(--text); border: 1px solid var(--border);",
    "  border-radius: 8px; box-shadow: 0 2px 10px rgb(0 0 0 / 0.15); box-sizing: border-box; }",
    ".widget { display: inline-flex; align-items: center; gap: 8px; padding: 6px 12px; }",
    ".widget[hidden], .banner[hidden] { display: none; }",
    ".dot { flex: none; width: 10px; height: 10px; border-radius: 50%; background: var(--unknown); }",
    ".dot[data-indicator='none'] { background: var(--none); }",
    ".dot[data-indicator='minor'] { background: var(--minor); }",
    ".dot[data-indicator='major'] { background: var(--major); }",
    ".dot[data-indicator='critical'] { background: var(--critical); }",
    ".dot[data-indicator='maintenance'] { background: var(--maintenance); }",
    "a { color: var(--link); text-underline-offset: 0.15em; }",
    ".widget a { color: var(--text); text-decoration: none; font-weight: 600; }",
    ".widget a:hover { text-decoration: underline; }",
    "a:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }",
    ".banners { display: flex; flex-direction: column; gap: 8px; width: 100%; }",
    ".banner { display: flex; align-items: flex-start; gap: 8px; padding: 10px 12px;",
    "  border-inline-start: 4px solid var(--critical); }",
    ".banner[data-impact='none'] { border-inline-start-color: var(--border); }",
    ".banner[data-impact='minor'] { border-inline-start-color: var(--minor); }",
    ".banner[data-impact='major'] { border-inline-start-color: var(--major); }",
    ".banner[data-impact='maintenance'] { border-inline-start-color: var(--maintenance); }",
    ".banner-text { flex: 1; min-width: 0; overflow-wrap: anywhere; }",
    ".banner p { margin: 0; }",
    ".kind { font-weight: 700; margin-inline-end: 4px; }",
    ".name { font-weight: 600; }",
    ".update { color: var(--muted); margin-top: 2px; }",
    ".close { flex: none; margin: -4px -6px 0 0; padding: 0 6px; font: inherit; font-size: 20px;",
    "  line-height: 1.2; background: transparent; color: var(--muted); border: 0; border-radius: 4px;",
    "  cursor: pointer; }",
    ".close:hover { color: var(--text); }"
  ].join("\n");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function pageLink(path, text, className) {
    var a = el("a", className, text);
    a.href = base + path;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function build() {
    host = document.createElement("div");
    host.setAttribute("data-statuspage-embed", base);
    var shadow = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = CSS;
    shadow.appendChild(style);

    root = el("div", "root");
    root.setAttribute("data-position", position);
    root.lang = Object.keys(CONFIG.locales).filter(function (k) {
      return CONFIG.locales[k] === words;
    })[0] || "";
    root.dir = words.dir || "ltr";

    banners = el("div", "banners");
    widget = el("div", "widget");
    widget.setAttribute("role", "status");
    widget.setAttribute("aria-live", "polite");
    widget.setAttribute("aria-label", words.widget_label);
    widget.hidden = true;
    dot = el("span", "dot");
    dot.setAttribute("aria-hidden", "true");
    link = pageLink("", "");
    link.className = "description";
    widget.appendChild(dot);
    widget.appendChild(link);

    // Banners above the indicator, in every position.
    root.appendChild(banners);
    root.appendChild(widget);
    shadow.appendChild(root);
    document.body.appendChild(host);
  }

  // The page's rule (DESIGN.md), applied to the chosen components only.
  var RANK = { none: 0, maintenance: 1, minor: 2, major: 3, critical: 4 };
  var STATUS_IMPACT = {
    operational: "none", under_maintenance: "maintenance", degraded_performance: "minor",
    partial_outage: "major", major_outage: "critical"
  };

  function worse(a, b) { return (RANK[b] || 0) > (RANK[a] || 0) ? b : a; }

  function chosenIds(components) {
    var ids = {};
    components.forEach(function (c) {
      if (wanted.indexOf(c.id) >= 0) {
        ids[c.id] = true;
        (c.components || []).forEach(function (child) { ids[child] = true; });
      }
    });
    return ids;
  }

  function touches(item, ids) {
    return (item.components || []).some(function (c) { return ids[c.id]; });
  }

  function currentState(summary) {
    var incidents = summary.incidents || [];
    var maintenance = (summary.scheduled_maintenances || []).filter(function (m) {
      return m.status === "in_progress" || m.status === "verifying";
    });
    var indicator = summary.status && summary.status.indicator;
    var ids = wanted.length ? chosenIds(summary.components || []) : {};
    if (wanted.length && !Object.keys(ids).length && !warned) {
      // A mistyped id must not make the widget claim all is well: show the whole page.
      warned = true;
      if (window.console) { console.warn("status widget: no component matches data-components"); }
    }
    if (Object.keys(ids).length) {
      var mine = (summary.components || []).filter(function (c) { return !c.group && ids[c.id]; });
      incidents = incidents.filter(function (i) { return touches(i, ids); });
      maintenance = maintenance.filter(function (m) { return touches(m, ids); });
      indicator = "none";
      var down = mine.filter(function (c) { return c.status === "major_outage"; }).length;
      mine.forEach(function (c) {
        var impact = STATUS_IMPACT[c.status] || "none";
        // A major outage of only some of several components is a major, not critical, one.
        if (impact === "critical" && down < mine.length) { impact = "major"; }
        indicator = worse(indicator, impact);
      });
      incidents.forEach(function (i) { indicator = worse(indicator, i.impact); });
      if (maintenance.length) { indicator = worse(indicator, "maintenance"); }
    }
    return { indicator: indicator, incidents: incidents, maintenance: maintenance };
  }

  function plain(markdown) {
    // The API gives Markdown source; show it as short plain text.
    var text = String(markdown || "")
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+)/gm, "")
      .replace(/[*_`~]+/g, "")
      .replace(/\s+/g, " ")
      .trim();
    return text.length > 280 ? text.slice(0, 279) + "\u2026" : text;
  }

  function banner(item, kind) {
    var latest = (item.incident_updates || [])[0];
    var key = kind + ":" + item.id + ":" + (latest ? latest.id : "");
    if (dismissed[key]) { return null; }
    var statusWords = kind === "incident" ? words.incident_status : words.maintenance_status;
    var section = el("section", "banner");
    section.setAttribute("role", "region");
    section.setAttribute("aria-label", words[kind] + ": " + item.name);
    section.setAttribute("data-kind", kind);
    section.setAttribute("data-impact", item.impact || "");
    section.setAttribute("data-id", item.id);

    var text = el("div", "banner-text");
    var title = el("p");
    title.appendChild(el("span", "kind", words[kind] + ":"));
    title.appendChild(pageLink((kind === "incident" ? "incidents/" : "maintenance/") +
      encodeURIComponent(item.id), item.name, "name"));
    text.appendChild(title);
    if (latest) {
      var label = (statusWords && statusWords[latest.status]) || latest.status;
      var body = plain(latest.body);
      text.appendChild(el("p", "update", body ? label + " \u2014 " + body : label));
    }
    section.appendChild(text);

    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", words.dismiss + ": " + item.name);
    close.addEventListener("click", function () {
      dismissed[key] = true;
      section.remove();
      // Keep keyboard users on the widget rather than at the top of the host page.
      link.focus();
    });
    section.appendChild(close);
    return section;
  }

  function render(summary) {
    var state = currentState(summary);
    var description = words.indicator[state.indicator] || words.unavailable;
    dot.setAttribute("data-indicator", state.indicator);
    if (link.textContent !== description) { link.textContent = description; }
    link.title = CONFIG.page_name || "";
    widget.hidden = false;

    var fresh = [];
    state.incidents.forEach(function (i) { fresh.push(banner(i, "incident")); });
    state.maintenance.forEach(function (m) { fresh.push(banner(m, "maintenance")); });
    var next = document.createDocumentFragment();
    fresh.forEach(function (node) { if (node) { next.appendChild(node); } });
    banners.replaceChildren(next);
  }

  function unavailable() {
    // Keep showing the last known state; say so only when there is none.
    if (widget.hidden) {
      dot.setAttribute("data-indicator", "unknown");
      link.textContent = words.unavailable;
      widget.hidden = false;
    }
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch(base + "api/v2/summary.json", { credentials: "omit", mode: "cors" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(render)
      .catch(unavailable);
  }

  function start() {
    var existing = document.querySelectorAll("[data-statuspage-embed]");
    for (var i = 0; i < existing.length; i++) {
      if (existing[i].getAttribute("data-statuspage-embed") === base) { return; }  // included twice
    }
    build();
    refresh();
    setInterval(refresh, (CONFIG.poll_seconds || 60) * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { refresh(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
