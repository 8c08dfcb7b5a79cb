/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Show times in the viewer's own zone, keeping the page-zone text as a tooltip.
  function localTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) return;
    var lang = document.documentElement.lang || undefined;
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(lang, {
        year: "numeric", month: "short", day: "numeric",
        hour: "numeric", minute: "2-digit", timeZoneName: "short"
      });
    } catch (e) {
      return;
    }
    var nodes = document.querySelectorAll("time[data-local]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var when = new Date(node.getAttribute("datetime"));
      if (isNaN(when.getTime())) continue;
      if (!node.title) node.title = node.textContent;
      node.textContent = fmt.format(when);
      node.setAttribute("data-localized", "");
    }
  }

  // Uptime day summaries: a tap opens one (touch screens have no hover or focus on tap).
  function summaryOf(button) {
    var id = button && button.getAttribute("aria-describedby");
    return id ? document.getElementById(id) : null;
  }

  function closeAll(except) {
    var open = document.querySelectorAll(".day-summary.is-open");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) open[i].classList.remove("is-open");
    }
  }

  function clearDismissed() {
    var dismissed = document.querySelectorAll(".day-summary.is-dismissed");
    for (var i = 0; i < dismissed.length; i++) dismissed[i].classList.remove("is-dismissed");
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest(".uptime-day");
    if (button) {
      var summary = summaryOf(button);
      clearDismissed();
      closeAll(summary);
      if (summary) summary.classList.add("is-open");
      return;
    }
    if (!target.closest(".day-summary")) closeAll(null);
  });

  // Escape hides summaries shown by hover, focus or tap (WCAG 1.4.13).
  var restoring = false;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var summaries = document.querySelectorAll(".day-summary");
    for (var i = 0; i < summaries.length; i++) {
      if (summaries[i].offsetParent !== null) summaries[i].classList.add("is-dismissed");
    }
    closeAll(null);
    var active = document.activeElement;
    var inside = active && active.closest ? active.closest(".day-summary") : null;
    if (inside) {
      var owner = document.querySelector('[aria-describedby="' + inside.id + '"]');
      restoring = true;
      if (owner) owner.focus();
      restoring = false;
    }
  });

  // Moving to a day again (pointer or keyboard) lifts the dismissal.
  var hovered = null;
  document.addEventListener("mouseover", function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest(".uptime-day") : null;
    if (button && button !== hovered) clearDismissed();
    hovered = button;
  });
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!restoring && target instanceof Element && target.closest(".uptime-day")) clearDismissed();
  });

  // The language menu: remember the choice for the next pages (the link's ?lang= works alone).
  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target instanceof Element ? target.closest("a[data-set-lang]") : null;
    if (!link) return;
    var code = link.getAttribute("data-set-lang");
    if (!/^[A-Za-z_]{2,10}$/.test(code)) return;
    document.cookie = "lang=" + code + "; path=/; max-age=31536000; SameSite=Lax";
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localTimes);
  } else {
    localTimes();
  }
})();
