// The counter pad (评价器): every screen of /pad listens to its prompt stream (server-sent
// events; EventSource reconnects by itself, and the server begins each connection with the
// prompt still open). A prompt other than the one on screen opens its rating. The rating and
// the thank-you return to the idle screen after data-seconds untouched. The pages are
// server-rendered: this file only moves between them.
(function () {
  "use strict";
  var pad = document.getElementById("pad");
  if (!pad || !window.EventSource) { return; }
  var status = document.getElementById("pad-status");
  var say = function (text) { if (status) { status.textContent = text; } };
  var current = pad.dataset.current || "";
  var leaving = false;
  var go = function (url) {
    if (leaving) { return; }
    leaving = true;
    location.replace(url);
  };

  var events = new EventSource(pad.dataset.events);
  events.addEventListener("open", function () { say("已连接，等待评价"); });
  events.addEventListener("prompt", function (ev) {
    var p;
    try { p = JSON.parse(ev.data); } catch (e) { return; }
    if (p && p.id && p.id !== current && p.url && p.url.charAt(0) === "/") { go(p.url); }
  });
  events.addEventListener("error", function () {
    if (events.readyState === EventSource.CLOSED) {
      // Refused (the pad's pairing ended, the server answered an error): the page itself says
      // what to do, so load it again in a while.
      say("连接已断开，正在重试…");
      setTimeout(function () { go(location.pathname + location.search); }, 5000);
    } else {
      say("连接中断，正在重新连接…");
    }
  });
  window.addEventListener("pagehide", function () { events.close(); });

  var seconds = parseInt(pad.dataset.seconds || "0", 10);
  if (seconds > 0 && pad.dataset.idle) {
    var timer;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { go(pad.dataset.idle); }, seconds * 1000);
    };
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (t) {
      window.addEventListener(t, arm, {passive: true, capture: true});
    });
    arm();
  }
  // A submitted form leaves by itself: no prompt or timeout may interrupt it.
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function () { leaving = true; });
  });
})();
