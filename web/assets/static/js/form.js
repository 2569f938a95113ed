// Forms marked data-once: a submit disables the button (a second tap sends nothing; the
// server would answer it as the same rating anyway). A textarea with data-max shows how many
// characters are left as the citizen types. Everything works without this file.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.sent === "1") { ev.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
        if (b.dataset.busy) { b.textContent = b.dataset.busy; }
      });
    });
  });
  document.querySelectorAll("textarea[data-max]").forEach(function (ta) {
    var max = parseInt(ta.dataset.max, 10);
    var out = document.getElementById(ta.id + "-count");
    if (!out) { return; }
    var update = function () {
      var n = Array.from(ta.value).length;
      out.textContent = n <= max ? "已输入 " + n + " 字，还可输入 " + (max - n) + " 字" : "已超出 " + (n - max) + " 字，请删减";
      out.classList.toggle("field-error", n > max);
    };
    ta.addEventListener("input", update);
    update();
  });
})();
