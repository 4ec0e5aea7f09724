/* mqcat comparison: the key facts of up to three micro-qualifications side by side.
 *
 * The address holds the choice: ?e=<sector>/<id>, repeated, at most three (the finder
 * writes it). Each chosen entry's own page is fetched from this site and its key facts
 * (the description list #mq-key-facts, one <div data-fact> per fact) are laid out as the
 * columns of a table, in the page's order of facts. The values are the page's own nodes,
 * already escaped when the site was built: nothing is read as HTML from elsewhere.
 * Removing an entry updates the address, so the comparison can be bookmarked and shared.
 */
(function () {
  "use strict";

  var root = document.getElementById("mq-comparison");
  if (!root || !window.fetch || !window.DOMParser) return;
  var config = JSON.parse(document.getElementById("mq-compare-config").textContent);
  var labels = config.labels;
  var base = root.dataset.base;
  var status = document.getElementById("mq-comparison-status");
  var wrap = document.getElementById("mq-comparison-wrap");
  var head = wrap.querySelector("thead");
  var body = wrap.querySelector("tbody");
  var MAX = 3;
  var PATH = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

  function chosen() {
    var seen = [];
    new URLSearchParams(location.search).getAll("e").forEach(function (path) {
      if (PATH.test(path) && seen.indexOf(path) < 0) seen.push(path);
    });
    return seen.slice(0, MAX);
  }

  function load(path) {
    return fetch(base + path + "/").then(function (response) {
      if (!response.ok) throw new Error(path);
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      /* The page's links are relative to the page: make them absolute before they move here. */
      var pageUrl = new URL(base + path + "/", location.href);
      page.querySelectorAll("#mq-key-facts a[href]").forEach(function (a) {
        a.href = new URL(a.getAttribute("href"), pageUrl).href;
      });
      var list = page.getElementById("mq-key-facts");
      var title = page.querySelector("article h1");
      if (!list || !title) throw new Error(path);
      var facts = {};
      var order = [];
      list.querySelectorAll(":scope > div[data-fact]").forEach(function (group) {
        var key = group.dataset.fact;
        order.push({ key: key, term: group.querySelector("dt").textContent.trim() });
        facts[key] = group.querySelector("dd");
      });
      return { path: path, title: title.textContent.trim(), facts: facts, order: order };
    }).catch(function () { return { path: path, failed: true }; });
  }

  function cell(tag, scope) {
    var element = document.createElement(tag);
    if (scope) element.scope = scope;
    return element;
  }

  function render(entries) {
    head.textContent = "";
    body.textContent = "";
    var loaded = entries.filter(function (e) { return !e.failed; });
    var problems = entries.filter(function (e) { return e.failed; }).map(function (e) {
      return labels.error.replace("{id}", e.path);
    });
    if (!entries.length) {
      wrap.hidden = true;
      status.textContent = labels.empty;
      return;
    }
    var row = document.createElement("tr");
    var corner = cell("th", "col");
    corner.textContent = labels.fact;
    row.appendChild(corner);
    loaded.forEach(function (entry) {
      var th = cell("th", "col");
      var link = document.createElement("a");
      link.href = base + entry.path + "/";
      link.textContent = entry.title;
      th.appendChild(link);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "md-button mq-comparison__remove";
      remove.textContent = "×";
      remove.setAttribute("aria-label", labels.remove.replace("{title}", entry.title));
      remove.addEventListener("click", function () { drop(entry.path); });
      th.appendChild(document.createTextNode(" "));
      th.appendChild(remove);
      row.appendChild(th);
    });
    head.appendChild(row);
    var terms = [];
    var seen = {};
    loaded.forEach(function (entry) {
      entry.order.forEach(function (fact) {
        if (!seen[fact.key]) { seen[fact.key] = true; terms.push(fact); }
      });
    });
    terms.forEach(function (fact) {
      var tr = document.createElement("tr");
      var th = cell("th", "row");
      th.textContent = fact.term;
      tr.appendChild(th);
      loaded.forEach(function (entry) {
        var td = cell("td");
        var value = entry.facts[fact.key];
        if (value) {
          Array.prototype.forEach.call(value.childNodes, function (node) {
            td.appendChild(document.importNode(node, true));
          });
        } else {
          td.textContent = "–";
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    wrap.hidden = !loaded.length;
    status.textContent = problems.join(" ");
  }

  function drop(path) {
    var params = new URLSearchParams();
    chosen().filter(function (p) { return p !== path; }).forEach(function (p) { params.append("e", p); });
    var search = params.toString();
    history.replaceState(null, "", location.pathname + (search ? "?" + search : ""));
    show();
  }

  function show() {
    var paths = chosen();
    status.textContent = paths.length ? labels.loading : "";
    Promise.all(paths.map(load)).then(render);
  }

  window.addEventListener("popstate", show);
  show();
})();
