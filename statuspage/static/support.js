// The support view: copy buttons, language tabs and the Now page's live refresh.
// No third-party requests; everything is event delegation so replaced HTML keeps working.
(function () {
  "use strict";
  if (window.supportViewLoaded) { return; }
  window.supportViewLoaded = true;

  // Which language tab each incident shows, kept across live refreshes.
  var chosen = {};

  function selectTab(block, locale) {
    var found = false;
    block.querySelectorAll("[data-locale-tab]").forEach(function (tab) {
      var on = tab.dataset.localeTab === locale;
      found = found || on;
      tab.setAttribute("aria-selected", on ? "true" : "false");
    });
    if (!found) { return; }
    block.querySelectorAll(".wording-panel").forEach(function (panel) {
      panel.hidden = panel.dataset.locale !== locale;
    });
  }

  function copyText(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) { return; }
    var text = source.textContent;
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    function say(label) {
      button.textContent = label;
      window.setTimeout(function () { button.textContent = button.dataset.label; }, 2000);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(
        function () { say(button.dataset.copiedLabel); },
        function () { say(button.dataset.failedLabel); }
      );
    } else {
      say(button.dataset.failedLabel);
    }
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-locale-tab]");
    if (tab) {
      var block = tab.closest("[data-wording]");
      chosen[block.dataset.wording] = tab.dataset.localeTab;
      selectTab(block, tab.dataset.localeTab);
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) { copyText(copy); }
  });

  function poll(box) {
    var seconds = parseInt(box.dataset.pollSeconds, 10) || 3;
    var state = document.getElementById("live-state");
    function again() { window.setTimeout(tick, seconds * 1000); }
    function tick() {
      var url = box.dataset.pollUrl + "?version=" + encodeURIComponent(box.dataset.version);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (json) {
          if (state) { state.textContent = state.dataset.liveLabel; }
          if (json.changed) {
            box.innerHTML = json.html;
            box.dataset.version = json.version;
            box.querySelectorAll("[data-wording]").forEach(function (block) {
              var locale = chosen[block.dataset.wording];
              if (locale) { selectTab(block, locale); }
            });
          }
          again();
        })
        .catch(function () {
          if (state) { state.textContent = state.dataset.offlineLabel; }
          again();
        });
    }
    again();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("now");
    if (box && box.dataset.pollUrl) { poll(box); }
  });
})();
