// The kiosk (自助终端): one page whose screens — start, rating, thank-you — this script shows one
// at a time, back to the start after the hall's idle time, so that the next citizen never
// finds the last one's case on the screen.
//
// Every rating is first kept in localStorage, with this kiosk's increasing sequence number and
// the time it was made, and then uploaded to POST /kiosk/records under the kiosk channel's
// batch contract. A record answered created or duplicate is stored (a duplicate: an earlier
// upload committed it and its answer was lost); a record answered rejected never will be, so
// it leaves the buffer too, logged. A network failure or a 5xx keeps the whole buffer for the
// next try: backoff, the `online` event, the next rating, the next load of the page. The
// server's idempotency key is the device and the sequence number, so re-sending is harmless —
// none lost, none doubled.
//
// The page also loads while the network is down: a service worker (/kiosk-sw.js, registered
// here) keeps the last copy the network served, and its files. Such a copy says so
// (data-served="cache"): its stamp of the server's clock is old, so the offset between the
// server's clock and this browser's is the one kept from the last page the network served;
// and its CSRF token may have expired — the first upload's 403 then reloads the page from the
// network (at the start screen), and the new page uploads the buffer.
(function () {
  "use strict";
  var root = document.getElementById("kiosk");
  if (!root) { return; }

  var BUFFER = "hcp.kiosk.buffer";     // the ratings not yet answered by the server
  var LAST_SEQ = "hcp.kiosk.seq";      // the last sequence number given
  var REFUSED = "hcp.kiosk.rejected";  // the last records the server refused, for a technician
  var CLOCK = "hcp.kiosk.clock";       // the clock offset of the last page the network served
  var RELOADED = "hcp.kiosk.reloaded"; // sessionStorage: when the page last reloaded for a new token
  var BATCH = 100;                     // records per upload (the contract allows 500)
  var casePattern = /^[0-9A-Za-z_-]{4,64}$/;

  var csrf = root.dataset.csrf;
  var idleSeconds = parseInt(root.dataset.idle, 10) || 60;
  var thanksSeconds = parseInt(root.dataset.thanks, 10) || 15;
  var callbackDays = parseInt(root.dataset.callbackDays, 10) || 1;
  var largeAtLoad = root.dataset.large === "1";
  var fromCache = root.dataset.served === "cache";
  // The server's business clock less this browser's: ratings are stamped by the server's
  // clock, so that a kiosk whose clock drifts does not date its ratings wrongly. A page the
  // network served measures it and keeps it; a copy from the cache carries an old stamp, so it
  // takes the kept offset (none kept: the browser's own clock).
  var clockOffset = 0;
  if (!fromCache && root.dataset.now) {
    clockOffset = parseInt(root.dataset.now, 10) - Date.now();
    localStorage.setItem(CLOCK, String(clockOffset));
  } else {
    clockOffset = parseInt(localStorage.getItem(CLOCK), 10) || 0;
  }

  var $ = function (id) { return document.getElementById(id); };
  var screens = { start: $("screen-start"), rate: $("screen-rate"), thanks: $("screen-thanks") };
  var current = "start";
  var theCase = null;         // what the lookup answered, or {case_no} when it could not be asked
  var offlineLook = false;    // the rating screen shows a case the server was not asked about
  var uploadFailed = false;   // the last upload did not reach the server
  var unpaired = false;       // the last upload was answered 401: the device's session is gone
  var needReload = false;     // the page's CSRF token expired: reload at the next start screen

  // --- storage -------------------------------------------------------------------------------

  function readList(key) {
    try {
      var v = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(v) ? v : [];
    } catch (e) {
      return [];
    }
  }
  function writeList(key, list) { localStorage.setItem(key, JSON.stringify(list)); }

  // nextSeq is greater than every number this kiosk gave before, and at least the time in
  // milliseconds: should the browser's storage be wiped, the numbers still do not repeat one
  // the server already holds (which it would answer as a duplicate, dropping the rating).
  function nextSeq() {
    var last = parseInt(localStorage.getItem(LAST_SEQ), 10) || 0;
    var seq = Math.max(last + 1, Date.now());
    localStorage.setItem(LAST_SEQ, String(seq));
    return seq;
  }

  function keep(record) {
    var buf = readList(BUFFER);
    buf.push(record);
    writeList(BUFFER, buf);
    showStatus();
  }

  // --- the status line -------------------------------------------------------------------------

  function showStatus() {
    var n = readList(BUFFER).length;
    var s = $("kiosk-status");
    s.dataset.pending = String(n);
    var offline = !navigator.onLine || uploadFailed;
    s.classList.toggle("offline", offline || unpaired);
    if (unpaired && navigator.onLine) {
      // Not the network: the server no longer knows this kiosk. The ratings stay here until a
      // technician pairs it again (/pair?for=kiosk keeps this browser's storage).
      s.textContent = "本终端需重新配对，请联系管理员" + (n ? "（" + n + " 条评价保存在本机，配对后自动上传）" : "");
    } else if (offline) {
      s.textContent = "网络暂时中断：评价保存在本机" + (n ? "（" + n + " 条待上传）" : "") + "，恢复后自动上传";
    } else {
      s.textContent = n ? "网络正常：正在上传 " + n + " 条评价" : "网络正常";
    }
  }

  // --- uploading -----------------------------------------------------------------------------

  var uploading = false, again = false, retryTimer = 0, backoff = 0;

  function scheduleRetry() {
    clearTimeout(retryTimer);
    backoff = Math.min(backoff ? backoff * 2 : 2000, 120000);
    retryTimer = setTimeout(upload, backoff + Math.floor(Math.random() * 1000));
  }

  function timedFetch(url, opts, ms) {
    var ctl = new AbortController();
    var t = setTimeout(function () { ctl.abort(); }, ms);
    opts.signal = ctl.signal;
    opts.credentials = "same-origin";
    return fetch(url, opts).finally(function () { clearTimeout(t); });
  }

  function upload() {
    clearTimeout(retryTimer);
    if (uploading) { again = true; return; }
    var batch = readList(BUFFER).slice(0, BATCH);
    if (!batch.length) { backoff = 0; uploadFailed = false; showStatus(); return; }
    uploading = true;
    timedFetch("/kiosk/records", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ records: batch })
    }, 30000).then(function (res) {
      unpaired = res.status === 401;
      if (res.ok) { return res.json().then(answered); }
      if (res.status === 403) { needReload = true; } // the token expired: a fresh page has one
      throw new Error("upload answered " + res.status);
    }).then(function (removed) {
      uploadFailed = false;
      backoff = 0;
      // More than one batch was waiting: send the next (unless the answer took nothing out,
      // which would loop).
      if (removed > 0 && readList(BUFFER).length) { again = true; }
    }, function (err) {
      // The network, the server, our token or the device's session failed: everything stays
      // for the next try.
      uploadFailed = !unpaired;
      console.info("kiosk: upload failed, kept for the next try:", err && err.message);
      scheduleRetry();
    }).finally(function () {
      uploading = false;
      showStatus();
      if (needReload && current === "start" && !caseInput.value && reloadForToken()) { return; }
      if (again && !uploadFailed) { again = false; upload(); }
    });
  }

  // answered takes the records the server answered out of the buffer — read again, since
  // ratings may have been added while the upload was under way.
  function answered(ans) {
    var done = {};
    (ans.results || []).forEach(function (r) {
      if (r.seq === null || r.seq === undefined || !r.status) { return; }
      done[r.seq] = r;
      if (r.status === "rejected") {
        console.warn("kiosk: record " + r.seq + " refused: " + r.code + " " + r.message);
        var refused = readList(REFUSED);
        refused.push({ seq: r.seq, code: r.code, message: r.message, at: new Date().toISOString() });
        writeList(REFUSED, refused.slice(-50));
      }
    });
    var before = readList(BUFFER);
    var left = before.filter(function (rec) { return !done[rec.seq]; });
    writeList(BUFFER, left);
    return before.length - left.length;
  }

  // --- screens -------------------------------------------------------------------------------

  var idleTimer = 0, countdownTimer = 0;

  function show(name) {
    current = name;
    Object.keys(screens).forEach(function (k) { screens[k].hidden = k !== name; });
    window.scrollTo(0, 0);
    var h = screens[name].querySelector("h1");
    if (h) { h.focus({ preventScroll: true }); }
    touched();
  }

  // touched restarts the idle clock: any touch, key or typing.
  function touched() {
    clearTimeout(idleTimer);
    if (current === "thanks") { return; } // the thank-you has its own, shorter, countdown
    if (current === "start" && !$("case-no").value) { return; } // nothing to forget
    idleTimer = setTimeout(restart, idleSeconds * 1000);
  }

  // restart forgets the citizen: the case, the rating, the large mode they chose.
  function restart() {
    clearTimeout(idleTimer);
    clearInterval(countdownTimer);
    theCase = null;
    $("case-no").value = "";
    setError("case-no-error", "");
    $("rate-form").reset();
    clearRateErrors();
    $("comment").dispatchEvent(new Event("input"));
    document.documentElement.classList.toggle("large", largeAtLoad);
    syncTextSize();
    if (needReload && reloadForToken()) { return; }
    show("start");
  }

  // reloadForToken loads the page again from the network for a new CSRF token (the service
  // worker asks the network first; should it fail, the cached copy comes and the next upload
  // tries again). A page that the network served just now and still meets a 403 would only
  // loop: it waits a minute before the next reload, uploading with backoff meanwhile.
  function reloadForToken() {
    var last = parseInt(sessionStorage.getItem(RELOADED), 10) || 0;
    if (Math.abs(Date.now() - last) < 60000) { return false; }
    sessionStorage.setItem(RELOADED, String(Date.now()));
    location.reload();
    return true;
  }

  function setError(id, msg) {
    var e = $(id);
    e.textContent = msg;
    var field = e.closest(".field");
    if (field) { field.classList.toggle("has-error", !!msg); }
  }

  // --- the start screen: the case number ----------------------------------------------------------

  var caseInput = $("case-no");
  document.querySelectorAll(".keypad [data-key]").forEach(function (b) {
    b.addEventListener("click", function () {
      var k = b.dataset.key, v = caseInput.value;
      if (k === "back") { v = v.slice(0, -1); } else if (k === "clear") { v = ""; } else if (v.length < 64) { v += k; }
      caseInput.value = v;
      setError("case-no-error", "");
      touched();
    });
  });

  $("start-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var no = caseInput.value.trim();
    if (!casePattern.test(no)) {
      setError("case-no-error", no ? "办件编号由 4 至 64 位字母、数字、“-”或“_”组成，请核对后重新输入" : "请输入办件编号");
      caseInput.focus();
      return;
    }
    lookUp(no);
  });

  var looking = false;
  function lookUp(no) {
    if (looking) { return; }
    if (!navigator.onLine) { rateOffline(no); return; }
    looking = true;
    var button = $("start-next"), label = button.textContent;
    button.setAttribute("aria-disabled", "true");
    button.textContent = button.dataset.busy;
    timedFetch("/kiosk/case?case_no=" + encodeURIComponent(no), { headers: { "Accept": "application/json" } }, 8000)
      .then(function (res) {
        if (res.status === 401) { unpaired = true; showStatus(); } // kept here until the kiosk is paired again
        if (res.status >= 500 || res.status === 401) { throw new Error("lookup answered " + res.status); }
        return res.json().then(function (body) {
          if (!res.ok) { setError("case-no-error", body.message || "无法评价该办件"); return; }
          if (body.status === "rated") { setError("case-no-error", "该办件已经评价过了，感谢您的参与。如需查看处理进度，请扫描回执上的二维码。"); return; }
          if (body.status === "expired") { setError("case-no-error", "该办件已过评价期限，现在已不能评价。"); return; }
          rateCase(body);
        });
      })
      .catch(function () { rateOffline(no); }) // the server could not be asked: it judges the number at upload
      .finally(function () {
        looking = false;
        button.removeAttribute("aria-disabled");
        button.textContent = label;
      });
  }

  function rateCase(c) {
    theCase = c;
    offlineLook = false;
    $("rate-stage").textContent = c.stage_name;
    $("case-stage-name").textContent = c.stage_name;
    $("case-item").textContent = c.item;
    $("case-department").textContent = c.department;
    $("case-place").textContent = c.place;
    $("case-served").textContent = c.served_at;
    showRate(c.case_no, c.kind);
  }

  // rateOffline rates a number the server could not be asked about, with the reasons of the
  // services of this hall (现场).
  function rateOffline(no) {
    theCase = { case_no: no, kind: "offline" };
    offlineLook = true;
    $("rate-stage").textContent = "办件";
    showRate(no, "offline");
  }

  function showRate(no, kind) {
    $("case-no-shown").textContent = no;
    document.querySelectorAll("#screen-rate .case-known").forEach(function (e) { e.hidden = offlineLook; });
    $("rate-offline").hidden = !offlineLook;
    document.querySelectorAll("#reasons .checks").forEach(function (g) {
      var on = g.dataset.kind === kind;
      g.hidden = !on;
      g.querySelectorAll("input").forEach(function (i) { i.disabled = !on; i.checked = false; });
    });
    show("rate");
  }

  // --- the rating screen -----------------------------------------------------------------------

  function clearRateErrors() {
    $("rate-errors").hidden = true;
    $("rate-errors").querySelector("ul").textContent = "";
    document.querySelectorAll("#rate-form [data-error-for]").forEach(function (e) {
      e.textContent = "";
      e.closest(".field").classList.remove("has-error");
    });
  }

  function rateError(field, msg) {
    var beside = document.querySelector('#rate-form [data-error-for="' + field + '"]');
    beside.textContent = msg;
    beside.closest(".field").classList.add("has-error");
    var li = document.createElement("li"), a = document.createElement("a");
    a.href = "#" + (field === "comment" ? "comment" : field);
    a.textContent = msg;
    li.appendChild(a);
    $("rate-errors").querySelector("ul").appendChild(li);
    $("rate-errors").hidden = false;
  }

  // A new choice answers the messages about the old one.
  document.querySelectorAll('#rate-form input[name="level"]').forEach(function (i) {
    i.addEventListener("change", clearRateErrors);
  });

  $("rate-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearRateErrors();
    var chosen = document.querySelector('#rate-form input[name="level"]:checked');
    var level = chosen ? parseInt(chosen.value, 10) : 0;
    var reasons = [].map.call(document.querySelectorAll('#reasons .checks:not([hidden]) input:checked'), function (i) { return i.value; });
    var comment = $("comment").value.trim();
    var max = parseInt($("comment").dataset.max, 10);
    if (!level) { rateError("level", "请选择一个评价等级"); }
    if (level && level <= 2 && !reasons.length) { rateError("reasons", "选择“不满意”或“非常不满意”时，请至少选择一项原因"); }
    if (Array.from(comment).length > max) { rateError("comment", "意见建议不能超过 " + max + " 字，现在是 " + Array.from(comment).length + " 字"); }
    if (!$("rate-errors").hidden) { $("rate-errors").focus(); return; }

    var record = {
      seq: nextSeq(), case_no: theCase.case_no, level: level, reasons: level <= 2 ? reasons : [], comment: comment,
      rated_at: new Date(Date.now() + clockOffset).toISOString()
    };
    if (theCase.stage) { record.stage = theCase.stage; }
    keep(record);
    thank(level, chosen);
    upload();
  });

  // --- the thank-you ---------------------------------------------------------------------------

  function thank(level, chosen) {
    var given = $("thanks-given");
    given.className = "given level-" + level;
    given.textContent = "";
    var label = chosen.nextElementSibling;
    given.appendChild(label.querySelector("svg").cloneNode(true));
    var name = document.createElement("span");
    name.textContent = "您的评价：" + label.textContent.trim();
    given.appendChild(name);
    var bad = level <= 2;
    $("thanks-bad").hidden = !bad;
    $("thanks-good").hidden = bad;
    if (bad) {
      var days = theCase.callback_days || callbackDays;
      if (offlineLook) {
        $("thanks-next").textContent = "您的差评将转交办理单位核实整改；办件留有电话的，工作人员将在 " + days + " 个工作日内电话回访您。";
      } else if (theCase.has_phone) {
        $("thanks-next").textContent = "工作人员将在 " + days + " 个工作日内电话回访您，核实情况后整改，并把结果告诉您。";
      } else {
        $("thanks-next").textContent = "您的差评已转交办理单位核实整改。办件中没有您的电话，工作人员无法回访您；您可以扫描回执上的二维码查看处理进度。";
      }
    }
    $("thanks-saved").hidden = navigator.onLine && !uploadFailed && !offlineLook;
    show("thanks");
    var left = thanksSeconds;
    var tick = function () {
      $("thanks-countdown").textContent = left + " 秒后自动回到首页";
      if (left-- <= 0) { restart(); }
    };
    clearInterval(countdownTimer);
    tick();
    countdownTimer = setInterval(tick, 1000);
  }

  document.querySelectorAll('[data-action="restart"]').forEach(function (b) { b.addEventListener("click", restart); });

  // --- the large mode, kept in the page: the kiosk may be offline, and the next citizen starts
  // with the hall's own choice again -----------------------------------------------------------

  var textSize = $("text-size");
  function syncTextSize() {
    var large = document.documentElement.classList.contains("large");
    textSize.setAttribute("aria-pressed", String(large));
    textSize.querySelector("span").textContent = large ? "标准字体" : "大字模式";
  }
  textSize.addEventListener("click", function () {
    document.documentElement.classList.toggle("large");
    syncTextSize();
  });
  syncTextSize();

  // --- the events that restart the idle clock or an upload -------------------------------------------

  ["pointerdown", "keydown", "input"].forEach(function (t) { document.addEventListener(t, touched, true); });
  window.addEventListener("online", function () { uploadFailed = false; backoff = 0; showStatus(); upload(); });
  window.addEventListener("offline", showStatus);
  show("start");
  showStatus();
  upload(); // what an earlier page kept

  // The service worker (needs a secure context: HTTPS, or localhost). Without it the kiosk still
  // rates offline once loaded; it only cannot load offline.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/kiosk-sw.js", { scope: "/kiosk" }).catch(function (err) {
      console.warn("kiosk: no service worker, the page cannot load offline:", err && err.message);
    });
  }
})();
