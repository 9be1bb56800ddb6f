// Progressive enhancement of incident tables: a filter box and sortable
// columns. Every row is in the HTML already; without JavaScript nothing is lost.
(function () {
  "use strict";
  function text(cell) {
    return cell ? (cell.getAttribute("data-sort") || cell.textContent || "").trim() : "";
  }
  // Keys of several numbers ("min max": how long, as an interval) compare
  // number by number; other keys as numbers, else as text.
  function compare(a, b) {
    var xs = a.split(" "), ys = b.split(" ");
    if (xs.length > 1 && xs.length === ys.length) {
      for (var i = 0; i < xs.length; i++) {
        var r = compare(xs[i], ys[i]);
        if (r !== 0) { return r; }
      }
      return 0;
    }
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b);
  }
  function enhance(table, n) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 2) { return; }
    var box = document.createElement("p");
    box.className = "filter";
    var id = "filter-" + n;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Filter: ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.placeholder = "actor, target, kind, date…";
    box.appendChild(label);
    box.appendChild(input);
    var wrap = table.parentNode.classList.contains("table-wrap") ? table.parentNode : table;
    wrap.parentNode.insertBefore(box, wrap);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var r = compare(text(a.cells[col]), text(b.cells[col]));
          return up ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.incidents"), enhance);
  });
})();
