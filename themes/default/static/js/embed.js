/* /embed: keep the frame current every minute without a timed page refresh (WCAG 2.2.1).
   The headline is a live region updated in place, so screen readers hear a change;
   nothing is swapped while focus is inside the frame, so a keyboard user is never moved. */
(function () {
  "use strict";
  var SECONDS = 60;

  function schedule() { window.setTimeout(refresh, SECONDS * 1000); }

  function swap(selector, fresh) {
    var here = document.querySelector(selector);
    var there = fresh.querySelector(selector);
    if (here && there && here.innerHTML !== there.innerHTML) here.innerHTML = there.innerHTML;
  }

  function refresh() {
    var active = document.activeElement;
    if (!window.fetch || !window.DOMParser || (active && active !== document.body)) {
      schedule();
      return;
    }
    fetch(window.location.href, { credentials: "omit", cache: "no-cache" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var main = fresh.querySelector("main.embed");
        if (main) document.querySelector("main.embed").dataset.indicator = main.dataset.indicator;
        swap(".embed-live", fresh);
        swap(".embed-rest", fresh);
      })
      .catch(function () { /* keep showing the last good content */ })
      .then(schedule);
  }

  schedule();
})();
