/* The console's small script: live Markdown preview, confirm dialogs, the impact hint.
   Everything here is an enhancement: every form works without it. */
(function () {
  "use strict";
  // The layout or a page may include this file; run once.
  if (window.statuspageConsole) { return; }
  window.statuspageConsole = true;

  // Forms with data-confirm ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // Live preview under every Markdown textarea, rendered by the server's sanitizer.
  function setUpPreview(textarea) {
    var form = textarea.form;
    var token = form && form.querySelector('input[name="csrf_token"]');
    if (!token) { return; }
    var url = textarea.getAttribute("data-preview-url") || "/admin/preview";
    var box = document.createElement("div");
    box.className = "md-preview";
    box.hidden = true;
    var title = document.createElement("p");
    title.className = "md-preview-title";
    title.textContent = textarea.getAttribute("data-preview-label") || "Preview";
    var output = document.createElement("div");
    output.className = "prose md-preview-body";
    output.setAttribute("aria-live", "polite");
    output.id = (textarea.id || "markdown") + "-preview";
    box.appendChild(title);
    box.appendChild(output);
    var anchor = textarea.closest(".field") || textarea;
    anchor.parentNode.insertBefore(box, anchor.nextSibling);

    var timer = null;
    var sent = 0;
    function refresh() {
      var mine = ++sent;
      var data = new URLSearchParams();
      data.set("csrf_token", token.value);
      data.set("body", textarea.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (json) {
        if (mine !== sent) { return; }  // an older answer arriving late
        if (!json || typeof json.html !== "string") { box.hidden = true; return; }
        // The server returns HTML sanitized by the same function the public page uses.
        output.innerHTML = json.html;
        box.hidden = json.html === "";
      }).catch(function () { box.hidden = true; });
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    });
    if (textarea.value.trim() !== "") { refresh(); }
  }

  // The impact the chosen component statuses give, and the warning when none is chosen.
  var RANK = { operational: 0, under_maintenance: 1, degraded_performance: 2,
               partial_outage: 3, major_outage: 4 };
  var IMPACT = { operational: "none", under_maintenance: "maintenance",
                 degraded_performance: "minor", partial_outage: "major",
                 major_outage: "critical" };

  function setUpImpact(form) {
    var selects = form.querySelectorAll("select[data-component-status]");
    var output = form.querySelector("[data-impact-derived]");
    var warning = form.querySelector("[data-no-components]");
    function update() {
      var worst = null;
      selects.forEach(function (select) {
        var value = select.value || select.getAttribute("data-was") || "";
        if (!(value in RANK)) { return; }
        if (worst === null || RANK[value] > RANK[worst]) { worst = value; }
      });
      if (warning) { warning.hidden = worst !== null; }
      if (output) {
        var impact = worst === null ? "none" : IMPACT[worst];
        output.textContent = output.getAttribute("data-label-" + impact) || impact;
        output.setAttribute("data-impact", impact);
      }
    }
    selects.forEach(function (select) { select.addEventListener("change", update); });
    update();
  }

  // A started subscriber import: send its batches one after another, showing progress,
  // then reload for the final report. Without script, the Continue button sends one batch.
  function setUpImport(form) {
    var token = form.querySelector('input[name="csrf_token"]');
    var bar = document.getElementById("import-progress");
    var status = document.getElementById("import-status");
    form.hidden = true;
    function step() {
      var data = new URLSearchParams();
      data.set("csrf_token", token.value);
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (job) {
        if (bar) { bar.max = job.total; bar.value = job.processed; }
        if (status) { status.textContent = job.processed + " / " + job.total; }
        if (job.done) { window.location.reload(); } else { step(); }
      }).catch(function () {
        // Show the button again so the person can carry on by hand.
        form.hidden = false;
      });
    }
    step();
  }

  // A delivery report while its fan-out runs: poll its counts every 2 s, stop when
  // nothing is queued or sending any more.
  function setUpDeliveryReport(box) {
    var url = box.getAttribute("data-status-url");
    if (!url || box.getAttribute("data-active") !== "true") { return; }
    function setText(selector, value) {
      var el = box.querySelector(selector);
      if (el) { el.textContent = String(value); }
    }
    function render(json) {
      setText("[data-summary]", json.summary);
      var summary = box.querySelector("[data-summary]");
      if (summary && summary.hasAttribute("data-state")) {
        summary.setAttribute("data-state", json.state || (json.active ? "waiting" : "done"));
      }
      setText("[data-retried]", json.retried);
      setText("[data-duplicates]", json.possible_duplicates);
      Object.keys(json.totals).forEach(function (state) {
        setText('[data-count="total:' + state + '"]', json.totals[state]);
      });
      var body = box.querySelector("[data-channel-rows]");
      if (!body) { return; }
      var states = Object.keys(json.totals);
      json.channels.forEach(function (c) {
        var row = body.querySelector('tr[data-channel="' + c.channel + '"]');
        if (!row) {
          row = document.createElement("tr");
          row.setAttribute("data-channel", c.channel);
          var head = document.createElement("th");
          head.scope = "row";
          head.textContent = c.label;
          row.appendChild(head);
          states.forEach(function (state) {
            var cell = document.createElement("td");
            cell.setAttribute("data-count", c.channel + ":" + state);
            row.appendChild(cell);
          });
          body.appendChild(row);
        }
        states.forEach(function (state) {
          var cell = row.querySelector('[data-count="' + c.channel + ":" + state + '"]');
          if (cell) { cell.textContent = String(c.counts[state]); }
        });
      });
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (json) {
          render(json);
          box.setAttribute("data-active", json.active ? "true" : "false");
          if (json.active) { window.setTimeout(poll, 2000); }
        }).catch(function () {
          // A network hiccup: try again a little later rather than giving up.
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 2000);
  }

  // Internal incidents arrive from alerting tools: a live region polls a small JSON
  // endpoint and swaps in the server-rendered (escaped) HTML when its version changes.
  function setUpLive(box) {
    var url = box.getAttribute("data-live-url");
    var every = parseInt(box.getAttribute("data-live-interval") || "3000", 10);
    function poll() {
      var version = box.getAttribute("data-live-version") || "";
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "v=" + encodeURIComponent(version), {
        credentials: "same-origin", headers: { "Accept": "application/json" },
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (json) {
        if (json.version !== version && typeof json.html === "string") {
          box.innerHTML = json.html;
          box.setAttribute("data-live-version", json.version);
        }
        window.setTimeout(poll, every);
      }).catch(function () { window.setTimeout(poll, every * 3); });
    }
    window.setTimeout(poll, every);
  }

  function start() {
    document.querySelectorAll("[data-live-url]").forEach(setUpLive);
    document.querySelectorAll("[data-delivery-report]").forEach(setUpDeliveryReport);
    document.querySelectorAll("form#import-step").forEach(setUpImport);
    document.querySelectorAll("textarea[data-markdown]").forEach(setUpPreview);
    document.querySelectorAll("form[data-impact-form]").forEach(setUpImpact);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
