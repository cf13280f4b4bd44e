// The report's CSS and JavaScript as raw strings (see assets.h). Plain ES2017, no library.
#include "site/assets.h"

namespace rf::site {

std::string_view report_css() {
    return R"css(body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
nav { background: #24364b; padding: 8px 16px; }
nav a { color: #fff; margin-right: 18px; text-decoration: none; font-weight: 600; }
main { padding: 8px 20px 40px; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ccd; }
code, .mono { font-family: ui-monospace, monospace; font-size: 13px; }
td.mono { overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid #ccd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eef1f6; }
th[data-sort] { cursor: pointer; user-select: none; }
th[data-sort]::after { content: " \2195"; color: #99a; }
tr.hidden { display: none; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #ddd; }
.status-proved, .status-kept, .status-valid, .status-passed { background: #cdeccd; }
.status-refuted, .status-invalid, .status-error { background: #f6c7c7; }
.status-unknown, .status-timeout, .status-inconclusive, .status-tested { background: #f8e6b8; }
.status-pruned, .status-skipped { background: #dde3ee; }
.filters { margin: 8px 0; display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
.filters input[type=number] { width: 4em; }
.picture svg { max-width: 100%; height: auto; }
.tensor td { text-align: right; font-family: ui-monospace, monospace; }
.note { color: #666; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
pre { background: #f5f6f8; padding: 6px; overflow-x: auto; max-width: 100%; }
)css";
}

std::string_view report_js() {
    return R"js('use strict';
// Errors of this page's scripts go into the DOM, where a headless browser test reads them.
window.addEventListener('error', function (e) {
  var b = document.body;
  b.dataset.jsErrors = (b.dataset.jsErrors ? b.dataset.jsErrors + ' | ' : '') + e.message;
});

function cellKey(row, index, numeric) {
  var cell = row.cells[index];
  var key = cell.dataset.key !== undefined ? cell.dataset.key : cell.textContent.trim();
  return numeric ? parseFloat(key) || 0 : key.toLowerCase();
}

function makeSortable(table) {
  var heads = table.querySelectorAll('th[data-sort]');
  heads.forEach(function (th) {
    th.addEventListener('click', function () {
      var index = th.cellIndex, numeric = th.dataset.sort === 'num';
      var descending = th.dataset.dir === 'asc';
      heads.forEach(function (h) { delete h.dataset.dir; });
      th.dataset.dir = descending ? 'desc' : 'asc';
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellKey(a, index, numeric), y = cellKey(b, index, numeric);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
}

function setUpRuleFilters(table) {
  var get = function (id) { return document.getElementById(id); };
  var text = get('f-text'), status = get('f-status'), decision = get('f-decision'), op = get('f-op');
  var min = get('f-min'), max = get('f-max'), count = get('f-count');
  function apply() {
    var shown = 0, words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var d = r.dataset, size = parseInt(d.size, 10);
      var ok = (!status.value || d.status === status.value) &&
               (!decision.value || d.decision === decision.value) &&
               (!op.value || (' ' + d.ops + ' ').indexOf(' ' + op.value + ' ') >= 0) &&
               (min.value === '' || size >= parseInt(min.value, 10)) &&
               (max.value === '' || size <= parseInt(max.value, 10)) &&
               words.every(function (w) { return r.textContent.toLowerCase().indexOf(w) >= 0; });
      r.classList.toggle('hidden', !ok);
      if (ok) ++shown;
    });
    count.textContent = shown + ' of ' + table.tBodies[0].rows.length + ' rules shown';
  }
  [text, status, decision, op, min, max].forEach(function (el) { el.addEventListener('input', apply); });
  // A filtered view is a link: index.html?status=proved&op=relu&min=2 opens with those filters.
  var query = new URLSearchParams(window.location.search);
  [['text', text], ['status', status], ['decision', decision], ['op', op], ['min', min], ['max', max]]
    .forEach(function (p) { if (query.has(p[0])) p[1].value = query.get(p[0]); });
  apply();
}

// What the page promises about itself, checked in the browser that renders it.
function selfCheck() {
  var problems = [];
  var rules = document.getElementById('rules');
  if (rules && rules.tBodies[0].rows.length !== parseInt(rules.dataset.count, 10))
    problems.push('rule table has ' + rules.tBodies[0].rows.length + ' rows, expected ' + rules.dataset.count);
  var picture = document.querySelector('.picture');
  if (picture && !picture.querySelector('svg')) problems.push('rule picture holds no SVG');
  document.body.dataset.selfcheck = problems.length ? problems.join('; ') : 'ok';
}

document.querySelectorAll('table.sortable').forEach(makeSortable);
var ruleTable = document.getElementById('rules');
if (ruleTable) {
  setUpRuleFilters(ruleTable);
  // ?sort=size sorts by the column of that heading's data-key; a second name, ?sort=size&dir=desc.
  var wanted = new URLSearchParams(window.location.search);
  var head = wanted.has('sort') && ruleTable.querySelector('th[data-key="' + wanted.get('sort') + '"]');
  if (head) {
    head.click();
    if (wanted.get('dir') === 'desc') head.click();
  }
}
selfCheck();
)js";
}

}  // namespace rf::site
